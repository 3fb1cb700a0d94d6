package io.graypipe.front.http;

import io.graypipe.front.access.AccessControl;
import io.graypipe.front.access.RateLimits;
import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.image.ImageInspector;
import io.graypipe.front.image.ImageLimits;
import io.graypipe.front.observe.TrafficCounter;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.task.TaskRegistry;
import io.graypipe.front.worker.Workers;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.multipart.HttpDataFactory;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** The HTTP pipeline of every client connection. */
public final class HttpPipelineInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_CHUNK = 64 * 1024;

    private final FrontConfig config;
    private final Endpoints endpoints;
    private final RequestObserver requestObserver;
    private final TrafficCounter trafficCounter;
    private final ConnectionCap connections;
    private final ClientGate gate;
    private final AccessControl access;
    private final OpenConnections open = new OpenConnections();

    public HttpPipelineInitializer(FrontConfig config, ImagePipeline pipeline, TaskRegistry tasks, Workers worker,
                                   HttpDataFactory dataFactory, Executor uploadExecutor, Observability observability,
                                   AccessControl access, RateLimits limits) {
        this.config = config;
        this.access = access;
        this.gate = new ClientGate(access, limits, observability.metrics().clients(), config.timeouts().resultTtl());
        UploadRequests uploads = new UploadRequests(config, pipeline, tasks, observability.batches().accepting(),
                observability.batches(),
                worker, dataFactory, uploadExecutor, gate);
        TaskEndpoints taskEndpoints = new TaskEndpoints(tasks, observability.batches().accepting(), worker);
        InfoRequests info = new InfoRequests(uploads, new ImageInspector(new ImageLimits(config.processing().maxPixels(),
                config.processing().maxDimension())), uploadExecutor, worker);
        this.endpoints = new Endpoints(uploads, info, taskEndpoints, observability);
        this.requestObserver = observability.metrics()::requestAnswered;
        this.trafficCounter = new TrafficCounter(observability.metrics());
        this.connections = new ConnectionCap(config.listen().maxConnections());
    }

    /** The connections this initializer made, for shutdown to drain. */
    public OpenConnections openConnections() {
        return open;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!connections.admit(ch)) {
            // Past --max-connections: closed before a byte is read, so the open connections keep their share.
            ch.close();
            return;
        }
        ChannelPipeline p = ch.pipeline();
        p.addLast("traffic", trafficCounter);
        // A connection that sends nothing for this long, mid-request or between requests, is dropped.
        p.addLast("idle", new IdleStateHandler(config.timeouts().read().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        // First bytes: a trusted load balancer's PROXY protocol header names the client; anyone else's closes.
        p.addLast("proxy-protocol", new ProxyProtocol(access::trustsProxy));
        p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, config.uploads().maxHeaderBytes(), MAX_CHUNK));
        // Outbound, just inside the codec: every answer written on this connection passes here.
        p.addLast("security-headers", SecurityHeaders.INSTANCE);
        // Silence is not the only attack: a request must also arrive whole within the receive timeout.
        ReceiveDeadline.install(p, "http", config.timeouts().receive());
        // Holds pipelined requests back while one is being answered (the handler turns auto-read off meanwhile).
        p.addLast("flow", new FlowControlHandler());
        // Streams answers written as a ChunkedInput (a batch's ZIP) as fast as the client reads them.
        p.addLast("chunked", new ChunkedWriteHandler());
        // Per connection: it holds the state of the request in progress. What it delegates to is shared.
        p.addLast("api", new HttpRequestHandler(config, endpoints, requestObserver, gate, open));
    }
}
