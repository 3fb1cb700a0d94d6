package io.graypipe.front.access;

import io.graypipe.front.config.FrontConfig;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.task.ClientId;

import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who a request comes from, and whether it may come in: the API key it shows ({@code Authorization: Bearer KEY}
 * or {@code X-API-Key}), or, without a key file, its address. Decided once per request, on the event loop, from
 * the request's head alone.
 */
public final class AccessControl {
    /** What anyone may read, key or not: the page, the API's description, the health checks. */
    private static final Set<String> OPEN = Set.of("/", "/page.js", "/page.css", "/docs", "/docs/{id}", "/openapi.json",
            "/ops", "/formats", "/healthz", "/readyz");
    private static final String METRICS = "/metrics";

    /** A request let in: who sent it, and the limit its images count against (null: none). */
    public record Admission(ClientId client, RateLimits.Limit limit) {
    }

    private final ApiKeys keys;
    private final boolean metricsAuth;
    private final ClientAddresses addresses;
    private final Double defaultRate;
    private final long defaultBurst;
    /** The limit of a client without a key: {@code --rate-limit}, or null for none. */
    private final RateLimits.Limit defaultLimit;
    /**
     * Each key's limit (null: none), for the keys last read: made once per read of the key file rather than once
     * per request, with the texts its answers carry. A key missing here was read since: the map is made again.
     */
    private volatile Map<ApiKey, RateLimits.Limit> keyLimits = Map.of();

    /** @param keys the key file, or null when every client is anonymous */
    public AccessControl(ApiKeys keys, FrontConfig.Access config) {
        this.keys = keys;
        this.metricsAuth = config.metricsAuth();
        this.addresses = new ClientAddresses(config.trustedProxies());
        this.defaultRate = config.rate();
        this.defaultBurst = config.burst();
        this.defaultLimit = limit(null, null);
    }

    /** Whether {@code peer} is a {@code --trusted-proxy}, whose PROXY header or X-Forwarded-For names the client. */
    public boolean trustsProxy(InetAddress peer) {
        return addresses.isTrusted(peer);
    }

    /** Whether clients must show a key, and so own their tasks. */
    public boolean keysRequired() {
        return keys != null;
    }

    /**
     * The client of a request to {@code route}. With a key file, a request to a route that is not open must show a
     * configured key, else {@link ErrorCode#UNAUTHORIZED}; a key shown on an open route is used if it is valid.
     *
     * @param authorization the {@code Authorization} header, or null
     * @param apiKey        the {@code X-API-Key} header, or null
     * @param peer          the connection's peer, or the client its trusted proxy named in a PROXY header
     */
    public Admission admit(String route, String authorization, String apiKey, SocketAddress peer,
                           List<String> forwardedFor) {
        String address = addresses.of(peer, forwardedFor);
        String presented = presented(authorization, apiKey);
        if (keys != null) {
            ApiKey key = presented == null ? null : keys.find(presented).orElse(null);
            if (key != null) {
                return new Admission(key.client(address), limitOf(key));
            }
            if (!OPEN.contains(route) && (metricsAuth || !route.equals(METRICS))) {
                throw new FrontException(ErrorCode.UNAUTHORIZED, presented == null
                        ? "this service needs an API key: send Authorization: Bearer KEY (or X-API-Key: KEY)"
                        : "the API key is not one this service knows; check it, or ask for a new one");
            }
        }
        return new Admission(ClientId.anonymous(address), keys == null ? defaultLimit : null);
    }

    private RateLimits.Limit limitOf(ApiKey key) {
        Map<ApiKey, RateLimits.Limit> limits = keyLimits;
        if (!limits.containsKey(key)) {
            limits = new IdentityHashMap<>();
            for (ApiKey read : keys.all()) {
                limits.put(read, limit(read.rate(), read.burst()));
            }
            keyLimits = limits;
            if (!limits.containsKey(key)) {
                // Read again between finding the key and here: this request still goes by the key it showed.
                return limit(key.rate(), key.burst());
            }
        }
        return limits.get(key);
    }

    private RateLimits.Limit limit(Double rate, Long burst) {
        Double effective = rate != null ? rate : defaultRate;
        if (effective == null) {
            return null;
        }
        long bucket = burst != null ? burst : defaultBurst > 0 ? defaultBurst : Math.max(1, (long) Math.ceil(effective));
        return new RateLimits.Limit(effective, bucket);
    }

    private static String presented(String authorization, String apiKey) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).strip();
            return token.isEmpty() ? null : token;
        }
        if (apiKey != null && !apiKey.isBlank()) {
            return apiKey.strip();
        }
        return null;
    }
}
