package io.graypipe.front.access;

import io.graypipe.front.config.Cidr;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The address an anonymous client is known and limited by. It is the connection's peer, unless the peer is a
 * trusted proxy ({@code --trusted-proxy}): then the right-most {@code X-Forwarded-For} entry that is not itself a
 * trusted proxy. Anyone else's {@code X-Forwarded-For} is ignored, so a client cannot pose as another. An IPv6
 * client is known by its /64, which is what one subscriber usually holds.
 */
public final class ClientAddresses {
    private final List<Cidr> trusted;

    public ClientAddresses(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** @param forwardedFor every {@code X-Forwarded-For} header value, in order; may be empty */
    public String of(SocketAddress peer, List<String> forwardedFor) {
        if (!(peer instanceof InetSocketAddress socket) || socket.getAddress() == null) {
            return "unknown";
        }
        InetAddress client = socket.getAddress();
        if (isTrusted(client)) {
            List<String> hops = forwardedFor.stream().flatMap(value -> List.of(value.split(",")).stream())
                    .map(String::strip).filter(hop -> !hop.isEmpty()).toList();
            for (int i = hops.size() - 1; i >= 0; i--) {
                InetAddress hop = literal(hops.get(i));
                if (hop == null) {
                    break;
                }
                client = hop;
                if (!isTrusted(hop)) {
                    break;
                }
            }
        }
        return key(client);
    }

    /** Whether {@code address} is a trusted proxy, which may name its client (X-Forwarded-For, PROXY protocol). */
    public boolean isTrusted(InetAddress address) {
        // A loop, not a stream: this runs for every request, and usually over no block at all.
        for (Cidr block : trusted) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** An IP literal from a header, or null: never a name lookup. */
    private static InetAddress literal(String text) {
        String bare = text.startsWith("[") && text.contains("]") ? text.substring(1, text.indexOf(']')) : text;
        if (!bare.matches("[0-9a-fA-F:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(bare);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** IPv4 as is (also when mapped into IPv6); IPv6 by its /64. */
    static String key(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isMappedV4(bytes)) {
            return (bytes[12] & 0xff) + "." + (bytes[13] & 0xff) + "." + (bytes[14] & 0xff) + "." + (bytes[15] & 0xff);
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString((bytes[i] & 0xff) << 8 | bytes[i + 1] & 0xff)).append(':');
        }
        return prefix.append(":/64").toString();
    }

    private static boolean isMappedV4(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }
}
