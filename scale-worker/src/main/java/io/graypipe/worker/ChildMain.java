package io.graypipe.worker;

import io.graypipe.protocol.ExecutionMode;
import io.graypipe.protocol.ErrorCode;
import io.graypipe.protocol.ErrorMessage;
import io.graypipe.protocol.FrameStreams;
import io.graypipe.protocol.Hello;
import io.graypipe.protocol.Message;
import io.graypipe.protocol.Ping;
import io.graypipe.protocol.Pong;
import io.graypipe.protocol.ProtocolException;
import io.graypipe.protocol.ScaleRequest;
import io.graypipe.worker.image.Encoders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * A child worker process: reads frames from stdin, handles one request at a time, writes frames to stdout.
 * It announces itself with a HELLO once it is ready, and exits when stdin ends, which is how it follows its
 * parent's death. Logging goes to stderr, which the parent forwards to its own log.
 */
public final class ChildMain {
    private static final Logger log = LoggerFactory.getLogger(ChildMain.class);

    private ChildMain() {
    }

    public static void main(String[] args) throws IOException {
        int maxFrameBytes = args.length > 0 ? Integer.parseInt(args[0]) : io.graypipe.protocol.MessageCodec.DEFAULT_MAX_FRAME_BYTES;
        SharedRegionReader regions = args.length > 1 && !args[1].equals("off")
                ? SharedRegionReader.open(Path.of(args[1]), true).orElse(null) : null;
        // The worker loaded these libraries and said so in its log; should one fail here after all, a JPEG goes
        // through ImageIO and a WebP or AVIF request is answered UNSUPPORTED_FORMAT.
        Encoders encoders = Encoders.fromChildArguments(args, 2);
        // Claim the real stdout for frames and point System.out at stderr, so a stray print cannot corrupt a frame.
        OutputStream frames = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        System.setOut(System.err);
        InputStream in = new BufferedInputStream(System.in, 1 << 16);
        FrameStreams.write(frames, Hello.child());
        serve(in, frames, maxFrameBytes, regions, encoders);
    }

    static void serve(InputStream in, OutputStream out, int maxFrameBytes, SharedRegionReader regions,
                      Encoders encoders) throws IOException {
        while (true) {
            Message message;
            try {
                message = FrameStreams.read(in, maxFrameBytes);
            } catch (ProtocolException e) {
                log.error("child: protocol violation from parent, exiting: {}", e.getMessage());
                FrameStreams.write(out, e.toErrorMessage());
                return;
            }
            if (message == null) {
                return;
            }
            FrameStreams.write(out, answer(message, regions, encoders));
        }
    }

    private static Message answer(Message message, SharedRegionReader regions, Encoders encoders) {
        if (message instanceof ScaleRequest request) {
            try {
                return ScaleJob.run(request, ExecutionMode.PROCESSES, regions, encoders);
            } catch (RuntimeException | OutOfMemoryError e) {
                log.warn("child: request {} failed", request.requestId(), e);
                return new ErrorMessage(request.requestId(), ErrorCode.INTERNAL, "scaling failed: " + e);
            }
        }
        if (message instanceof Ping ping) {
            return new Pong(ping.nonce());
        }
        return new ErrorMessage(ErrorMessage.CONNECTION, ErrorCode.MALFORMED,
                "child accepts SCALE_REQUEST and PING only, got " + message.getClass().getSimpleName());
    }
}
