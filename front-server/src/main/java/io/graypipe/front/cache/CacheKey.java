package io.graypipe.front.cache;

import io.graypipe.protocol.Sha256;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Everything that decides the bytes of a result, in canonical form. Two requests share an entry only when every
 * field is equal; {@link #id()} is the SHA-256 of {@link #canonical()}, the entry's name and the answer's ETag.
 *
 * <p>A new option that changes the output (a field of {@code ProcessingOptions}) must become a field here and a
 * line of {@link #canonical()}; the version line changes when the meaning of an existing field does.
 *
 * @param content      SHA-256 of the upload's bytes, hex
 * @param scope        empty when every client shares entries; the client's identity with {@code --cache-scope client}
 * @param scale        the requested scale, {@code Double.toString}: with the bytes it fixes the target size, and it
 *                     also picks the shrink-on-load DCT scale, so it is finer than the target size alone
 * @param format       the output format's label, or {@code input} when it follows the upload's format (fixed by
 *                     its bytes)
 * @param quality      the JPEG, WebP or AVIF quality
 * @param lossless     WebP's {@code lossless=true}
 * @param ops          the filter chain's canonical text ({@code OpChain.toString()}), empty for plain gray
 * @param exactScaling whether the front decodes JPEGs at full size ({@code --exact-scaling})
 * @param encoder      the identity of the code that makes the bytes: protocol version and the front's JPEG decoder
 */
public record CacheKey(String content, String scope, String scale, String format, int quality, boolean lossless,
                       String ops, boolean exactScaling, String encoder) {
    private static final String VERSION = "graypipe-cache-1";

    /** One line per field, in a fixed order, so every field change is a different text. */
    public String canonical() {
        return VERSION + "\ncontent=" + content + "\nscope=" + scope + "\nscale=" + scale + "\nformat=" + format
                + "\nquality=" + quality + "\nlossless=" + lossless + "\nops=" + ops + "\nexact=" + exactScaling + "\nencoder=" + encoder + "\n";
    }

    /** SHA-256 of {@link #canonical()}, 64 hex digits. */
    public String id() {
        return HexFormat.of().formatHex(Sha256.of(canonical().getBytes(StandardCharsets.UTF_8)));
    }

    /** The strong ETag of every answer with this result. */
    public String etag() {
        return '"' + id() + '"';
    }

    /**
     * SHA-256 of everything {@code in} holds, hex. Through {@code transferTo}, so an upload held in memory (a
     * {@code ByteArrayInputStream}) is hashed straight from its array in one call, not copied out block by block.
     */
    public static String contentHash(java.io.InputStream in) throws java.io.IOException {
        MessageDigest digest = Sha256.digest();
        in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), digest));
        return HexFormat.of().formatHex(digest.digest());
    }

    /** SHA-256 of {@code bytes}, hex. */
    public static String contentHash(byte[] bytes) {
        return HexFormat.of().formatHex(Sha256.of(bytes));
    }
}
