package io.graypipe.front.http;

import io.graypipe.front.access.AccessControl;
import io.graypipe.front.access.RateLimits;
import io.graypipe.front.error.ErrorCode;
import io.graypipe.front.error.FrontException;
import io.graypipe.front.observe.ClientMetrics;
import io.graypipe.front.task.ClientId;
import io.graypipe.front.task.TaskIds;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of every exchange, once, before its endpoint runs: who sent it ({@link AccessControl}: 401
 * without a valid key where one is needed), whether the task or batch it names is theirs (404 if not), and its
 * rate limit (429 when its bucket is empty). An upload spends its images once its body has come
 * ({@link #spend}), since only then is their number known.
 */
final class ClientGate {
    private static final Set<Route> UPLOADS = Set.of(Route.PROCESS, Route.UPLOAD, Route.TASKS);
    /** Read on every request: as constants, hashed once rather than per lookup, like Netty's own names. */
    private static final AsciiString API_KEY = AsciiString.cached("X-API-Key");
    private static final AsciiString FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");

    private final AccessControl access;
    private final RateLimits limits;
    private final ClientMetrics metrics;
    private final Duration resultTtl;

    ClientGate(AccessControl access, RateLimits limits, ClientMetrics metrics, Duration resultTtl) {
        this.access = access;
        this.limits = limits;
        this.metrics = metrics;
        this.resultTtl = resultTtl;
    }

    /** Lets {@code exchange} in, recording its client on it, or throws its refusal. Event loop. */
    void admit(HttpExchange exchange, Route.Match match) {
        HttpHeaders headers = exchange.request().headers();
        AccessControl.Admission admission;
        try {
            admission = access.admit(match.route().template(), headers.get(HttpHeaderNames.AUTHORIZATION),
                    headers.get(API_KEY), ProxyProtocol.client(exchange.context().channel()),
                    headers.getAll(FORWARDED_FOR));
        } catch (FrontException e) {
            metrics.unauthorized();
            throw e;
        }
        exchange.admitted(admission);
        ClientId client = admission.client();
        metrics.request(client);
        if (access.keysRequired() && match.id() != null && !TaskIds.ownedBy(match.id(), client)) {
            // The same answer as an id that never existed: another client's task is not confirmed to exist.
            boolean batch = match.route().template().startsWith("/batches/");
            throw new FrontException(batch ? ErrorCode.BATCH_NOT_FOUND : ErrorCode.TASK_NOT_FOUND,
                    "no " + (batch ? "batch " : "task ") + HttpResponses.clip(match.id())
                            + "; it never existed or expired after " + resultTtl.toMinutes() + " minutes");
        }
        if (admission.limit() != null) {
            RateLimits.Verdict now = limits.peek(client.limitKey(), admission.limit());
            exchange.rateLimit(now);
            if (UPLOADS.contains(match.route()) && !now.allowed()) {
                // Refused before the body is read: a bucket known to be empty would refuse it anyway.
                metrics.rateLimited(client);
                throw limited(now);
            }
        }
    }

    /**
     * Spends {@code images} of the exchange's client. Completes with null when the upload may go on, else with
     * its 429 answer; from a Redis thread when the buckets are shared.
     */
    CompletableFuture<FullHttpResponse> spend(HttpExchange exchange, int images) {
        AccessControl.Admission admission = exchange.admission();
        metrics.images(admission.client(), images);
        if (admission.limit() == null) {
            return CompletableFuture.completedFuture(null);
        }
        return limits.spend(admission.client().limitKey(), admission.limit(), images).thenApply(verdict -> {
            exchange.rateLimit(verdict);
            if (verdict.allowed()) {
                return null;
            }
            metrics.rateLimited(admission.client());
            return HttpResponses.error(verdict.retryAfterSeconds() < 0 ? new FrontException(ErrorCode.RATE_LIMITED,
                    images + " images in one request are more than your burst of " + verdict.limit().burst()
                            + "; send them in smaller requests") : limited(verdict));
        });
    }

    private static FrontException limited(RateLimits.Verdict verdict) {
        return new FrontException(ErrorCode.RATE_LIMITED, "over your limit of " + verdict.limit().rate()
                + " images per second (burst " + verdict.limit().burst() + "); retry after "
                + verdict.retryAfterSeconds() + " s (Retry-After)");
    }
}
