package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

import static io.graypipe.protocol.FrameFields.need;
import static io.graypipe.protocol.FrameFields.readBytes;
import static io.graypipe.protocol.FrameFields.utf8;

/** The bodies of the handshake's messages, HELLO and AUTH (PROTOCOL.md); {@link MessageCodec} frames them. */
final class HandshakeCodec {
    private static final int HELLO_FIXED_BYTES = 2 + 1 + 4 + Hello.NONCE_BYTES + 1;

    private HandshakeCodec() {
    }

    static int helloSize(Hello hello) {
        return HELLO_FIXED_BYTES + utf8(hello.hostId()).length;
    }

    static void writeHello(Hello hello, ByteBuf out) {
        byte[] host = utf8(hello.hostId());
        out.writeByte(MessageType.HELLO.code());
        out.writeShort(hello.version());
        out.writeByte(hello.role().code());
        out.writeInt(hello.features());
        out.writeBytes(hello.nonce());
        out.writeByte(host.length);
        out.writeBytes(host);
    }

    static void writeAuth(Auth auth, ByteBuf out) {
        out.writeByte(MessageType.AUTH.code());
        out.writeBytes(auth.mac());
    }

    static Hello readHello(ByteBuf frame) {
        need(frame, HELLO_FIXED_BYTES, "HELLO");
        int version = frame.readUnsignedShort();
        if (version != MessageCodec.VERSION) {
            // Later fields may be laid out differently in other versions: say so rather than misread them.
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                    "this peer speaks protocol version " + MessageCodec.VERSION + ", not " + version);
        }
        Hello.Role role = Hello.Role.fromCode(frame.readByte());
        int features = frame.readInt();
        byte[] nonce = readBytes(frame, Hello.NONCE_BYTES, "HELLO nonce");
        int hostLength = frame.readUnsignedByte();
        String host = new String(readBytes(frame, hostLength, "HELLO host id"), StandardCharsets.UTF_8);
        try {
            return new Hello(version, role, features, nonce, host);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "HELLO: " + e.getMessage());
        }
    }

    static Auth readAuth(ByteBuf frame) {
        return new Auth(readBytes(frame, Auth.MAC_BYTES, "AUTH mac"));
    }
}
