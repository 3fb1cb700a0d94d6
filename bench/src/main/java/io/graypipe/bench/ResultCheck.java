package io.graypipe.bench;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether the cluster soak's answers are right: an image answer must decode in the format asked for, at the size
 * the request implies, and every answer to the same input and options (sync or async, hit or miss, from either
 * front, fetched twice) must be the same bytes. JPEG, PNG and WebP are decoded with ImageIO (WebP through the
 * TwelveMonkeys plugin the front carries); AVIF, which has no Java decoder here, is checked by its {@code ftyp}
 * brand and the size in its {@code ispe} box. Every violation is kept, with what it was, for the verdict.
 */
final class ResultCheck {
    /** What an answer should be: its format and size, and the key of everything that decides its bytes. */
    record Expectation(String format, int width, int height, String sameBytesKey) {
    }

    private final Map<String, String> digestByKey = new ConcurrentHashMap<>();
    final List<String> violations = new CopyOnWriteArrayList<>();

    /** Checks one answer; returns false (and records why) when it is wrong. */
    boolean check(String what, Expectation expected, byte[] body) {
        String problem = problem(expected, body);
        if (problem == null) {
            String digest = sha256(body);
            String first = digestByKey.putIfAbsent(expected.sameBytesKey(), digest);
            if (first != null && !first.equals(digest)) {
                problem = "different bytes from an earlier answer to the same input and options ("
                        + expected.sameBytesKey() + ")";
            }
        }
        if (problem != null) {
            violations.add(what + ": " + problem);
        }
        return problem == null;
    }

    private static String problem(Expectation expected, byte[] body) {
        int[] size;
        try {
            size = expected.format().equals("avif") ? avifSize(body) : decodedSize(body);
        } catch (IOException | RuntimeException e) {
            return "does not decode as " + expected.format() + " (" + body.length + " bytes): " + e.getMessage();
        }
        if (size == null) {
            return "does not decode as " + expected.format() + " (" + body.length + " bytes)";
        }
        if (size[0] != expected.width() || size[1] != expected.height()) {
            return "is " + size[0] + "x" + size[1] + ", expected " + expected.width() + "x" + expected.height();
        }
        return null;
    }

    private static int[] decodedSize(byte[] body) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(body));
        return image == null ? null : new int[]{image.getWidth(), image.getHeight()};
    }

    /** The width and height of an AVIF's {@code ispe} box, once its {@code ftyp} says it is AVIF. */
    static int[] avifSize(byte[] body) {
        String head = new String(body, 0, Math.min(body.length, 64), StandardCharsets.ISO_8859_1);
        if (!head.startsWith("ftyp", 4) || !head.contains("avif")) {
            return null;
        }
        byte[] box = "ispe".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + 16 <= body.length; i++) {
            if (body[i] == box[0] && body[i + 1] == box[1] && body[i + 2] == box[2] && body[i + 3] == box[3]) {
                ByteBuffer fields = ByteBuffer.wrap(body, i + 8, 8); // after the box's version and flags
                return new int[]{fields.getInt(), fields.getInt()};
            }
        }
        return null;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
