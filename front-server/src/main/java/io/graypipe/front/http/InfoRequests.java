package io.graypipe.front.http;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.image.ImageFacts;
import io.graypipe.front.image.ImageInspector;
import io.graypipe.front.pipeline.FormatNegotiation;
import io.graypipe.front.pipeline.ImagePipeline;
import io.graypipe.front.pipeline.ProcessingOptions;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.front.worker.Workers;
import io.graypipe.protocol.ScaleRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code POST /info}: an upload received exactly as {@code POST /process} receives it (same limits and refusals),
 * answered with what its headers say ({@link ImageInspector}, off the event loop) and what graypipe would make of it
 * for the request's {@code scale}, {@code format} ({@code auto} resolved from the Accept header and the formats the
 * workers encode, as for {@code /process}) and {@code ops}. No pixel is decoded and no worker is asked.
 */
final class InfoRequests {
    private static final Logger log = LoggerFactory.getLogger(InfoRequests.class);

    private final UploadRequests uploads;
    private final ImageInspector inspector;
    private final Executor executor;
    private final Workers workers;

    InfoRequests(UploadRequests uploads, ImageInspector inspector, Executor executor, Workers workers) {
        this.uploads = uploads;
        this.inspector = inspector;
        this.executor = executor;
        this.workers = workers;
    }

    /** The body of {@code POST /info}: the image's facts (their fields at the top level), its size in bytes, and the output it would give. */
    record Info(@JsonUnwrapped ImageFacts facts, long bytes, Output output) {
    }

    /** What {@code POST /process} with the same parameters would answer: its size and format. */
    record Output(int width, int height, String format) {
    }

    void begin(HttpExchange exchange) {
        Map<String, String> query = exchange.query();
        FormatNegotiation.requireEncodable(ProcessingOptions.parse(query).format(), workers.encodable());
        exifLevel(query.get("exif"));
        UploadReceiver receiver = uploads.bodyReceiver(exchange.context().channel(), exchange.request());
        String accept = exchange.request().headers().get(HttpHeaderNames.ACCEPT);
        exchange.body().receive(receiver, body -> submit(body, query, accept));
    }

    /** @param accept the request's Accept header, which {@code format=auto} follows as it does on /process */
    private CompletableFuture<FullHttpResponse> submit(ReceivedBody body, Map<String, String> query,
                                                       String accept) {
        List<Upload> files = body.files();
        try {
            if (files.size() > 1) {
                throw new FrontException(ErrorCode.TOO_MANY_FILES, "send one image per request to /info; this one has "
                        + files.size() + " files");
            }
            Map<String, String> params = new HashMap<>(body.fields());
            params.putAll(query);
            ProcessingOptions options = FormatNegotiation.resolve(ProcessingOptions.parse(params), accept,
                    workers.encodable());
            FormatNegotiation.requireEncodable(options.format(), workers.encodable());
            boolean fullExif = exifLevel(params.get("exif"));
            Upload upload = files.get(0);
            return CompletableFuture.supplyAsync(() -> answer(upload, options, fullExif), executor)
                    .handle((response, error) -> {
                        upload.release().run();
                        FullHttpResponse answer = error == null ? response : failure(error);
                        if (options.auto()) {
                            answer.headers().add(HttpHeaderNames.VARY, "Accept");
                        }
                        return answer;
                    });
        } catch (RejectedExecutionException e) {
            files.forEach(f -> f.release().run());
            return CompletableFuture.completedFuture(HttpResponses.error(ImagePipeline.overloaded()));
        } catch (FrontException e) {
            files.forEach(f -> f.release().run());
            return CompletableFuture.completedFuture(HttpResponses.error(e));
        }
    }

    private static boolean exifLevel(String value) {
        if (value == null || value.strip().equals("basic")) {
            return false;
        }
        if (value.strip().equals("full")) {
            return true;
        }
        throw new FrontException(ErrorCode.BAD_PARAMETER, "exif must be basic or full; got '"
                + HttpResponses.clip(value) + "'");
    }

    private FullHttpResponse answer(Upload upload, ProcessingOptions options, boolean fullExif) {
        ImageFacts facts = inspector.inspect(upload.source(), fullExif);
        int[] size = options.ops().sizeAfter(ScaleRequest.targetSize(facts.uprightWidth(), options.scale()),
                ScaleRequest.targetSize(facts.uprightHeight(), options.scale()));
        Output output = new Output(size[0], size[1], options.formatFor(facts.format()).label());
        return HttpResponses.json(HttpResponseStatus.OK, new Info(facts, upload.source().length(), output));
    }

    private static FullHttpResponse failure(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        if (cause instanceof FrontException api) {
            return HttpResponses.error(api);
        }
        if (cause instanceof RejectedExecutionException) {
            return HttpResponses.error(ImagePipeline.overloaded());
        }
        log.error("unexpected failure reading an image's info", cause);
        return HttpResponses.error(ErrorCode.INTERNAL, "an unexpected server error occurred; it has been logged");
    }
}
