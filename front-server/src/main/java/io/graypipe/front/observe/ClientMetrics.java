package io.graypipe.front.observe;

import io.graypipe.front.task.ClientId;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-client figures: requests, images, refusals (401, 429) and time waited in the gray queue. Labelled by the
 * configured key name only ({@code anonymous} for every client without one), so the series stay as few as the
 * key file's lines. {@link #shares()} is each client's part of the images, for {@code /stats} and the page.
 */
public final class ClientMetrics {
    /** One client's part of the work since start: {@code share} of all images, 0..1. */
    public record Share(long requests, long images, long unauthorized, long rateLimited, double share) {
    }

    private final Counter requests;
    private final Counter images;
    private final Counter unauthorized;
    private final Counter rateLimited;
    private final Histogram queueWait;
    private final Map<String, LongAdder[]> totals = new ConcurrentHashMap<>();

    ClientMetrics(PrometheusRegistry registry, double[] secondsBuckets) {
        requests = Counter.builder().name("graypipe_client_requests_total")
                .help("HTTP requests by client (API key name, or anonymous)").labelNames("client").register(registry);
        images = Counter.builder().name("graypipe_client_images_total")
                .help("Images uploaded by client, as counted by the rate limits").labelNames("client").register(registry);
        unauthorized = Counter.builder().name("graypipe_client_unauthorized_total")
                .help("Requests refused with 401: no key or an unknown one (always client=anonymous)")
                .labelNames("client").register(registry);
        rateLimited = Counter.builder().name("graypipe_client_rate_limited_total")
                .help("Requests refused with 429 by client").labelNames("client").register(registry);
        queueWait = Histogram.builder().name("graypipe_client_queue_wait_seconds")
                .help("Time an image waited in the gray queue for a thread, by client")
                .labelNames("client").classicOnly().classicUpperBounds(secondsBuckets).register(registry);
        unauthorized.labelValues(ClientId.ANONYMOUS);
    }

    private LongAdder[] totals(String client) {
        return totals.computeIfAbsent(client, c -> new LongAdder[]{new LongAdder(), new LongAdder(), new LongAdder(),
                new LongAdder()});
    }

    public void request(ClientId client) {
        requests.labelValues(client.name()).inc();
        totals(client.name())[0].increment();
    }

    public void images(ClientId client, long count) {
        images.labelValues(client.name()).inc(count);
        totals(client.name())[1].add(count);
    }

    public void unauthorized() {
        unauthorized.labelValues(ClientId.ANONYMOUS).inc();
        totals(ClientId.ANONYMOUS)[2].increment();
    }

    public void rateLimited(ClientId client) {
        rateLimited.labelValues(client.name()).inc();
        totals(client.name())[3].increment();
    }

    public void queueWait(ClientId client, long nanos) {
        queueWait.labelValues(client.name()).observe(nanos / 1e9);
    }

    /** Every client seen since start, by name. */
    public Map<String, Share> shares() {
        long all = totals.values().stream().mapToLong(t -> t[1].sum()).sum();
        Map<String, Share> shares = new TreeMap<>();
        totals.forEach((client, t) -> shares.put(client, new Share(t[0].sum(), t[1].sum(), t[2].sum(), t[3].sum(),
                all == 0 ? 0 : Math.round(t[1].sum() * 1000.0 / all) / 1000.0)));
        return shares;
    }
}
