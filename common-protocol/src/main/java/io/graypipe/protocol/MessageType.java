package io.graypipe.protocol;

/** The type byte that follows a frame's length. Values are part of the wire format (see PROTOCOL.md). */
public enum MessageType implements WireEnum {
    HELLO(0x01),
    AUTH(0x02),
    SCALE_REQUEST(0x10),
    SCALE_RESULT(0x11),
    ERROR(0x20),
    PING(0x30),
    PONG(0x31),
    STATUS_REQUEST(0x40),
    STATUS(0x41);

    private final byte code;

    MessageType(int code) {
        this.code = (byte) code;
    }

    @Override
    public byte code() {
        return code;
    }

    public static MessageType fromCode(byte code) {
        return WireEnum.byCode(MessageType.class, code).orElseThrow(() -> new ProtocolException(
                ErrorCode.UNKNOWN_TYPE, String.format("unknown message type 0x%02x", code & 0xff)));
    }
}
