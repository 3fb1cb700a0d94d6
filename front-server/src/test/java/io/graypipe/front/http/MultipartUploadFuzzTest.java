package io.graypipe.front.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.graypipe.front.FrontMain;
import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.json.Json;
import io.graypipe.front.pipeline.Upload;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code multipart/form-data} upload whose body is fuzzed, through the front's own receiving slice on an
 * {@link EmbeddedChannel}: the {@link HttpServerCodec} with the production limits of
 * {@link HttpPipelineInitializer}, then {@link UploadReceiver#multipart} (Netty's multipart decoder with the
 * front's field and buffer limits) on the data factory {@code FrontServer} builds from the production
 * {@link FrontConfig} ({@code --max-upload-bytes}, {@code --upload-memory-threshold}, a private upload directory),
 * and the front's mapping of a failed body to its answer ({@link UploadRequests#receiveFailure}, {@link
 * HttpResponses#error}). The upload executor is the calling thread, so a run is deterministic. What follows a
 * received body (options, the image pipeline) is left out: the image decoder has its own targets.
 *
 * <p>Input: the first byte's bit 0 spools every part to disk (memory threshold 0) instead of the production
 * threshold; bit 1 declares one byte more in {@code Content-Length} than is sent, so the body never ends; bits 2
 * and 3 pick the Content-Type: the fixed boundary, or one of three empty ones ({@link #CONTENT_TYPES}). The rest
 * is the body, after a request line and headers naming the boundary {@value #BOUNDARY}.
 *
 * <p>Invariants: nothing is thrown out of the pipeline; the answer is a received body with an image, or a
 * documented error ({@code malformed_multipart}, {@code missing_image}) with its status, or, for a body cut short,
 * still waiting for more bytes; once the channel closes, no temporary file is left in the upload directory; and
 * the same input gives the same answer twice; an error message never quotes a Java exception.
 */
class MultipartUploadFuzzTest {
    static final String BOUNDARY = "graypipe-fuzz-boundary";
    private static final Set<ErrorCode> DOCUMENTED = Set.of(ErrorCode.MALFORMED_MULTIPART, ErrorCode.MISSING_IMAGE);
    /** As in {@link HttpPipelineInitializer}. */
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_CHUNK = 64 * 1024;
    /** Chosen by bits 2 and 3 of the first byte: the fixed boundary, or one of the empty ones Netty cannot take. */
    private static final List<String> CONTENT_TYPES = List.of("multipart/form-data; boundary=" + BOUNDARY,
            "multipart/form-data; boundary=", "multipart/form-data;boundary=", "multipart/form-data; charset=utf-8; boundary=");

    @FuzzTest
    void multipartBody(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        boolean spool = (input[0] & 1) != 0;
        boolean cutShort = (input[0] & 2) != 0;
        String contentType = CONTENT_TYPES.get((input[0] >> 2) & 3);
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        String first = receive(body, spool, cutShort, contentType);
        assertEquals(first, receive(body, spool, cutShort, contentType), "the same body must give the same answer");
    }

    private static String receive(byte[] body, boolean spool, boolean cutShort, String contentType) throws IOException {
        FrontConfig config = Production.CONFIG;
        Path uploads = Production.UPLOADS;
        try {
            DefaultHttpDataFactory factory = new DefaultHttpDataFactory(spool ? 0 : config.uploads().memoryThreshold());
            factory.setMaxLimit(config.uploads().maxBytes());
            factory.setBaseDir(uploads.toString());
            factory.setDeleteOnExit(false);
            Receiver receiver = new Receiver(factory, body);
            EmbeddedChannel channel = new EmbeddedChannel(
                    new HttpServerCodec(MAX_INITIAL_LINE, config.uploads().maxHeaderBytes(), MAX_CHUNK), receiver);
            String head = "POST /tasks HTTP/1.1\r\nHost: fuzz\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + "Content-Length: " + (body.length + (cutShort ? 1 : 0)) + "\r\n\r\n";
            channel.writeInbound(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body));
            channel.checkException();
            receiver.rethrowAssertions();
            String answer = receiver.answer;
            channel.finishAndReleaseAll();
            channel.checkException();
            try (Stream<Path> left = Files.list(uploads)) {
                List<Path> files = left.toList();
                assertTrue(files.isEmpty(), "temporary files left after the connection closed: " + files);
            }
            assertTrue(answer != null || cutShort, "a whole body must be answered");
            return answer == null ? "waiting for more bytes" : answer;
        } finally {
            // Empty the shared directory even after a failed run, so that the next run checks only its own files.
            try (Stream<Path> left = Files.walk(uploads)) {
                left.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(uploads))
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    /**
     * The production configuration and one upload directory, built once per JVM: building them for every run
     * held a campaign to a few executions a second. Every run leaves the directory empty (asserted above).
     */
    private static final class Production {
        static final Path UPLOADS = uploadDirectory();
        static final FrontConfig CONFIG = FrontMain.parse("--upload-dir", UPLOADS.toString());

        private static Path uploadDirectory() {
            try {
                Path directory = Files.createTempDirectory("graypipe-fuzz-uploads");
                directory.toFile().deleteOnExit();
                return directory;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The connection's part of the front's handler for one upload: offer the chunks, answer, abort on close. */
    private static final class Receiver extends SimpleChannelInboundHandler<HttpObject> {
        private final DefaultHttpDataFactory factory;
        private final byte[] body;
        private UploadReceiver receiving;
        private CompletableFuture<Void> answered;
        private String answer;

        Receiver(DefaultHttpDataFactory factory, byte[] body) {
            this.factory = factory;
            this.body = body;
        }

        /** Throws what an assertion in the completion callback threw, if it did. */
        void rethrowAssertions() {
            if (answered != null && answered.isCompletedExceptionally()) {
                answered.join();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpRequest request) {
                assertTrue(request.decoderResult().isSuccess(), "the fixed request head must parse");
                try {
                    receiving = UploadReceiver.multipart(ctx.channel(), Runnable::run, factory, request);
                } catch (FrontException e) {
                    answer(HttpResponses.error(e), e.code());
                    return;
                }
                // handle, not whenComplete: a failed assertion in here must fail the run, not vanish.
                answered = receiving.completion().handle((body, error) -> {
                    if (error != null) {
                        FrontException e = UploadRequests.receiveFailure(error);
                        answer(HttpResponses.error(e), e.code());
                    } else {
                        answer = received(body);
                    }
                    return null;
                });
            }
            if (message instanceof HttpContent content && receiving != null && answer == null) {
                assertTrue(content.decoderResult().isSuccess(), "a Content-Length body always frames");
                receiving.offer(content);
            }
        }

        private void answer(FullHttpResponse response, ErrorCode code) {
            try {
                assertTrue(DOCUMENTED.contains(code), "undocumented answer to a multipart body: " + code + " "
                        + response.content().toString(StandardCharsets.UTF_8));
                assertEquals(ErrorStatus.of(code), response.status());
                String json = response.content().toString(StandardCharsets.UTF_8);
                // The client's own text (a field name) may be quoted; an exception's text must not be (F4).
                assertFalse(json.contains("Exception") && !new String(body, StandardCharsets.ISO_8859_1).contains("Exception"),
                        "an answer that quotes a Java exception (F4): " + json);
                // Stronger: a malformed body is answered in graypipe's words only ("Index 2 out of bounds" was not).
                if (code == ErrorCode.MALFORMED_MULTIPART) {
                    String message = message(json);
                    assertTrue(MultipartBody.MALFORMED_MESSAGES.contains(message), "not graypipe's own words: " + message);
                }
                answer = response.status().code() + " " + json;
            } finally {
                response.release();
            }
        }

        private static String message(String json) {
            try {
                return Json.MAPPER.readTree(json).path("error").path("message").asText();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A received body is handed on by the front; here its files are read and released at once. */
        private static String received(ReceivedBody body) {
            assertTrue(!body.files().isEmpty(), "a received body has a file");
            List<String> files = new ArrayList<>();
            for (Upload upload : body.files()) {
                try {
                    files.add(upload.filename() + ":" + upload.source().length());
                } finally {
                    upload.release().run();
                }
            }
            return "received " + files + " " + new TreeMap<>(body.fields());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (receiving != null) {
                // As HttpExchange.abortBody when a connection closes mid-body.
                receiving.abort();
            }
            ctx.fireChannelInactive();
        }
    }
}
