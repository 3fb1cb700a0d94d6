package io.graypipe.protocol.codec;

/** A libwebp or libavif call failed on an image: corrupt input, or pixels the library refused. */
public final class CodecException extends Exception {
    public CodecException(String message) {
        super(message);
    }
}
