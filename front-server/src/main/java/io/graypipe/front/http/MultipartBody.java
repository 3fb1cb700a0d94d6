package io.graypipe.front.http;

import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.pipeline.Upload;
import io.graypipe.protocol.SafeText;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A {@code multipart/form-data} body, through Netty's decoder (small parts in memory, large ones spilled to
 * temporary files by the data factory), with the limits a graypipe client never needs to pass. Whatever the
 * decoder refuses or throws is answered {@code malformed_multipart} in graypipe's own words, never an exception's.
 */
final class MultipartBody implements BodyDecoder {
    private static final Logger log = LoggerFactory.getLogger(MultipartBody.class);
    private static final int MAX_FIELD_CHARS = 256;
    /** How many of a body's other file fields a missing_image answer names. */
    private static final int QUOTED_FIELD_NAMES = 5;
    /** Form fields per body; more is not a graypipe client. */
    private static final int MAX_FIELDS = 64;
    /**
     * Longest stretch the multipart decoder may buffer while looking for the end of a part header or field; bounds
     * memory per upload, yet lets through absurd but harmless headers such as a 10 KB filename.
     */
    private static final int MAX_BUFFERED_BYTES = 64 * 1024;
    static final String UNPARSABLE_PART_HEADER = "a multipart part header could not be parsed: each part needs "
            + "Content-Disposition: form-data; name=\"...\" (and filename=\"...\" for the image); let your HTTP client "
            + "build the body (curl -F image=@photo.jpg)";
    static final String UNUSABLE_BOUNDARY = "the multipart Content-Type has no usable boundary (boundary= needs 1 to 70 "
            + "characters); let your HTTP client build the body (curl -F image=@photo.jpg)";
    static final String MALFORMED_BODY = "the multipart body is malformed: its boundaries or part headers do not follow "
            + "multipart/form-data (RFC 7578); let your HTTP client build it (curl -F image=@photo.jpg)";
    static final String UNREADABLE_BODY = "the upload could not be read to its end; send it again";
    static final String TOO_MANY_FIELDS = "the multipart body has more than " + MAX_FIELDS
            + " fields; send the image in field 'image' and at most scale, format and quality";
    static final String FIELD_TOO_LONG = "a multipart part header or text field is longer than " + MAX_BUFFERED_BYTES
            + " bytes; let your HTTP client build the body (curl -F image=@photo.jpg)";
    static final String INCOMPLETE_BODY = "the multipart body ended before its closing boundary; the upload is incomplete";
    /** Every message a {@code malformed_multipart} answer can have: graypipe's own words, never an exception's. */
    static final List<String> MALFORMED_MESSAGES = List.of(UNPARSABLE_PART_HEADER, UNUSABLE_BOUNDARY, MALFORMED_BODY,
            UNREADABLE_BODY, TOO_MANY_FIELDS, FIELD_TOO_LONG, INCOMPLETE_BODY);

    private final HttpPostRequestDecoder decoder;

    private MultipartBody(HttpPostRequestDecoder decoder) {
        this.decoder = decoder;
    }

    /**
     * The decoder for {@code request}'s body. The boundary must be present and usable: Netty's decoder throws a
     * {@code StringIndexOutOfBoundsException} for an empty {@code boundary=}, which escaped as a dropped
     * connection, so the boundary is checked here first, and whatever the decoder still throws is answered with
     * graypipe's own words.
     */
    static MultipartBody open(HttpDataFactory factory, HttpRequest request) {
        if (!MultipartBoundary.usable(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, UNUSABLE_BOUNDARY);
        }
        try {
            return new MultipartBody(new HttpPostRequestDecoder(factory, request, StandardCharsets.UTF_8, MAX_FIELDS,
                    MAX_BUFFERED_BYTES));
        } catch (RuntimeException e) {
            log.debug("multipart header refused: {}", SafeText.forLog(String.valueOf(e)));
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, UNUSABLE_BOUNDARY);
        }
    }

    @Override
    public ReceivedBody offer(HttpContent chunk, boolean last) throws IOException {
        try {
            decoder.offer(chunk);
        } catch (HttpPostRequestDecoder.TooManyFormFieldsException e) {
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, TOO_MANY_FIELDS);
        } catch (HttpPostRequestDecoder.TooLongFormFieldException e) {
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, FIELD_TOO_LONG);
        } catch (HttpPostRequestDecoder.ErrorDataDecoderException e) {
            log.debug("multipart body refused: {}", SafeText.forLog(String.valueOf(e)));
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, malformedBodyMessage(e));
        } catch (RuntimeException e) {
            // Netty's decoder is not proof against every part header: a part of type multipart/mixed without a
            // boundary of its own throws an ArrayIndexOutOfBoundsException ("Index 2 out of bounds for length 2").
            log.debug("multipart part refused: {}", SafeText.forLog(String.valueOf(e)));
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, UNPARSABLE_PART_HEADER);
        }
        return last ? collect() : null;
    }

    /**
     * The answer to a body Netty's decoder refused, in graypipe's words only: an exception's text is not a contract
     * (it changes between versions, may quote the JVM, or the client's own bytes). When the decoder's exception
     * only wraps a runtime exception (a part header without a usable {@code Content-Disposition} makes the decoder
     * dereference a missing name: fuzz finding F4 in docs/fuzzing.md), the answer says what a part header needs.
     */
    static String malformedBodyMessage(HttpPostRequestDecoder.ErrorDataDecoderException e) {
        boolean onlyWrapsARuntimeException = e.getCause() instanceof RuntimeException cause
                && String.valueOf(cause).equals(e.getMessage());
        return onlyWrapsARuntimeException ? UNPARSABLE_PART_HEADER : MALFORMED_BODY;
    }

    private ReceivedBody collect() throws IOException {
        if (decoder.currentPartialHttpData() != null) {
            throw new FrontException(ErrorCode.MALFORMED_MULTIPART, INCOMPLETE_BODY);
        }
        List<Upload> files = new ArrayList<>();
        Map<String, List<String>> fields = new HashMap<>();
        List<String> otherFileFields = new ArrayList<>();
        for (InterfaceHttpData data : decoder.getBodyHttpDatas()) {
            if (data instanceof FileUpload file) {
                if ("image".equals(file.getName()) || "file".equals(file.getName())) {
                    // Outlive the decoder: destroy() below releases every part once, cleanup releases them again.
                    decoder.removeHttpDataFromClean(file);
                    file.retain();
                    files.add(ReceivedBody.file(file, file.getFilename()));
                } else {
                    otherFileFields.add(file.getName());
                }
            } else if (data instanceof Attribute attribute && attribute.length() <= MAX_FIELD_CHARS) {
                fields.computeIfAbsent(attribute.getName(), name -> new ArrayList<>()).add(attribute.getValue());
            }
        }
        decoder.destroy();
        if (files.isEmpty()) {
            throw new FrontException(ErrorCode.MISSING_IMAGE, otherFileFields.isEmpty()
                    ? "the multipart body has no file; send the image in form field 'image' (curl -F image=@photo.jpg)"
                    : "no file in form field 'image' or 'file' (found " + fieldNames(otherFileFields)
                    + "); name the field 'image'");
        }
        return new ReceivedBody(files, fields);
    }

    /**
     * The client's field names as they can be quoted back: the first few, each clipped, since a body can hold
     * many and a name can be long (Netty's decoder has already turned control characters into spaces).
     */
    private static String fieldNames(List<String> names) {
        String quoted = names.stream().limit(QUOTED_FIELD_NAMES)
                .map(name -> "'" + HttpResponses.clip(name) + "'")
                .collect(Collectors.joining(", "));
        return names.size() <= QUOTED_FIELD_NAMES ? quoted
                : quoted + " and " + (names.size() - QUOTED_FIELD_NAMES) + " more";
    }

    @Override
    public void destroy() {
        try {
            decoder.destroy();
        } catch (IllegalStateException alreadyDestroyed) {
            // destroy() ran when the body was collected; nothing left to free.
        }
    }
}
