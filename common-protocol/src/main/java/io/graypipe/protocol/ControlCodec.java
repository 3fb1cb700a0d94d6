package io.graypipe.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.graypipe.protocol.FrameFields.need;
import static io.graypipe.protocol.FrameFields.readBytes;
import static io.graypipe.protocol.FrameFields.utf8;

/**
 * The bodies of the messages that run the link rather than carry images: ERROR, PING, PONG, STATUS_REQUEST and
 * STATUS (PROTOCOL.md); {@link MessageCodec} frames them.
 */
final class ControlCodec {
    private static final int NONCE_BYTES = 8;
    private static final int ERROR_HEADER_BYTES = 8 + 2 + 2;
    private static final int STATUS_HEADER_BYTES = 8 + 4 + 4 + 4 + 4 + 8 + 4 + 4 + 4;
    private static final int STATUS_CHILD_BYTES = 1 + 8 + 8;
    private static final int CHILD_ALIVE = 0x01;
    private static final int CHILD_BUSY = 0x02;

    private ControlCodec() {
    }

    static int size(Message message) {
        if (message instanceof ErrorMessage error) {
            return ERROR_HEADER_BYTES + errorText(error).length;
        } else if (message instanceof WorkerStatus status) {
            return STATUS_HEADER_BYTES + STATUS_CHILD_BYTES * status.children().size();
        }
        return NONCE_BYTES; // Ping, Pong and StatusRequest: one nonce
    }

    static void write(Message message, ByteBuf out) {
        if (message instanceof ErrorMessage error) {
            byte[] text = errorText(error);
            out.writeByte(MessageType.ERROR.code());
            out.writeLong(error.requestId());
            out.writeShort(error.code().value());
            out.writeShort(text.length);
            out.writeBytes(text);
        } else if (message instanceof Ping ping) {
            out.writeByte(MessageType.PING.code());
            out.writeLong(ping.nonce());
        } else if (message instanceof Pong pong) {
            out.writeByte(MessageType.PONG.code());
            out.writeLong(pong.nonce());
        } else if (message instanceof StatusRequest request) {
            out.writeByte(MessageType.STATUS_REQUEST.code());
            out.writeLong(request.nonce());
        } else if (message instanceof WorkerStatus status) {
            writeStatus(status, out);
        } else {
            throw new IllegalArgumentException(message.getClass().getSimpleName() + " is not a control message");
        }
    }

    private static void writeStatus(WorkerStatus status, ByteBuf out) {
        out.writeByte(MessageType.STATUS.code());
        out.writeLong(status.nonce());
        out.writeInt(status.configured());
        out.writeInt(status.alive());
        out.writeInt(status.busy());
        out.writeInt(status.queued());
        out.writeLong(status.restarts());
        out.writeInt(status.threads());
        out.writeInt(status.threadsBusy());
        out.writeInt(status.children().size());
        for (WorkerStatus.Child child : status.children()) {
            out.writeByte((child.alive() ? CHILD_ALIVE : 0) | (child.busy() ? CHILD_BUSY : 0));
            out.writeLong(child.requests());
            out.writeLong(child.restarts());
        }
    }

    static ErrorMessage readError(ByteBuf frame) {
        need(frame, ERROR_HEADER_BYTES, "ERROR header");
        long requestId = frame.readLong();
        ErrorCode code = ErrorCode.fromValue(frame.readUnsignedShort());
        int textLength = frame.readUnsignedShort();
        byte[] text = readBytes(frame, textLength, "error message");
        return new ErrorMessage(requestId, code, new String(text, StandardCharsets.UTF_8));
    }

    static WorkerStatus readStatus(ByteBuf frame) {
        need(frame, STATUS_HEADER_BYTES, "STATUS header");
        long nonce = frame.readLong();
        long configured = frame.readUnsignedInt();
        long alive = frame.readUnsignedInt();
        long busy = frame.readUnsignedInt();
        long queued = frame.readUnsignedInt();
        long restarts = frame.readLong();
        long threads = frame.readUnsignedInt();
        long threadsBusy = frame.readUnsignedInt();
        long count = frame.readUnsignedInt();
        if (configured > Integer.MAX_VALUE || alive > Integer.MAX_VALUE || busy > Integer.MAX_VALUE
                || queued > Integer.MAX_VALUE || restarts < 0 || threads > Integer.MAX_VALUE
                || threadsBusy > Integer.MAX_VALUE) {
            throw new ProtocolException(ErrorCode.MALFORMED, "STATUS counts out of range");
        }
        if (count > MessageCodec.MAX_STATUS_CHILDREN) {
            throw new ProtocolException(ErrorCode.MALFORMED, "STATUS lists " + count + " children, over "
                    + MessageCodec.MAX_STATUS_CHILDREN);
        }
        need(frame, (int) count * STATUS_CHILD_BYTES, "STATUS children");
        List<WorkerStatus.Child> children = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            int flags = frame.readUnsignedByte();
            if ((flags & ~(CHILD_ALIVE | CHILD_BUSY)) != 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "STATUS child " + i + " has unknown flags " + flags);
            }
            long requests = frame.readLong();
            long childRestarts = frame.readLong();
            if (requests < 0 || childRestarts < 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "STATUS child " + i + " counters out of range");
            }
            children.add(new WorkerStatus.Child((flags & CHILD_ALIVE) != 0, (flags & CHILD_BUSY) != 0, requests,
                    childRestarts));
        }
        return new WorkerStatus(nonce, (int) configured, (int) alive, (int) busy, (int) queued, restarts,
                (int) threads, (int) threadsBusy, children);
    }

    private static byte[] errorText(ErrorMessage error) {
        byte[] text = utf8(error.message());
        if (text.length <= MessageCodec.MAX_ERROR_MESSAGE_BYTES) {
            return text;
        }
        // Cut on a character boundary so the peer never sees a broken UTF-8 sequence.
        int end = MessageCodec.MAX_ERROR_MESSAGE_BYTES;
        while (end > 0 && (text[end] & 0xC0) == 0x80) {
            end--;
        }
        return Arrays.copyOf(text, end);
    }
}
