package io.graypipe.front.cache;

import io.graypipe.protocol.Sha256;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;

/**
 * How an entry is stored, on disk and in Redis alike: a magic, the key's id (so an entry copied under another
 * name is refused), the image's metadata, the data's length and SHA-256, then the data. Reading checks all of them:
 * a truncated, extended or edited entry is {@link CorruptEntryException}, never an answer.
 */
final class EntryCodec {
    private static final int MAGIC = 0x47504331; // "GPC1"
    private static final int DIGEST_BYTES = 32;

    private EntryCodec() {
    }

    static byte[] encode(String keyId, CachedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.data().length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(keyId);
            out.writeUTF(image.format());
            out.writeInt(image.width());
            out.writeInt(image.height());
            out.writeUTF(image.inputFormat());
            out.writeInt(image.inputWidth());
            out.writeInt(image.inputHeight());
            out.writeLong(image.inputBytes());
            out.writeInt(image.data().length);
            out.write(Sha256.of(image.data()));
            out.write(image.data());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The image stored in {@code entry} under {@code keyId}. */
    static CachedImage decode(String keyId, byte[] entry) throws CorruptEntryException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry))) {
            if (in.readInt() != MAGIC) {
                throw new CorruptEntryException("not a cache entry");
            }
            if (!keyId.equals(in.readUTF())) {
                throw new CorruptEntryException("the entry belongs to another key");
            }
            String format = in.readUTF();
            int width = in.readInt();
            int height = in.readInt();
            String inputFormat = in.readUTF();
            int inputWidth = in.readInt();
            int inputHeight = in.readInt();
            long inputBytes = in.readLong();
            int length = in.readInt();
            byte[] digest = in.readNBytes(DIGEST_BYTES);
            if (length < 0 || in.available() != length) {
                throw new CorruptEntryException("the data has " + in.available() + " bytes, the entry says " + length);
            }
            byte[] data = in.readNBytes(length);
            if (!MessageDigest.isEqual(digest, Sha256.of(data))) {
                throw new CorruptEntryException("the data's SHA-256 differs from the one stored with it");
            }
            return new CachedImage(data, format, width, height, inputFormat, inputWidth, inputHeight, inputBytes);
        } catch (IOException e) {
            throw new CorruptEntryException("the entry is truncated: " + e);
        }
    }

    /** An entry that must not be served: it is deleted and its result computed again. */
    static final class CorruptEntryException extends Exception {
        CorruptEntryException(String message) {
            super(message);
        }
    }

}
