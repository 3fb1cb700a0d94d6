package io.graypipe.front.http;

/** Told once about every answered request; the metrics implement it, so no HTTP handler counts anything. */
@FunctionalInterface
interface RequestObserver {
    /**
     * @param route      the template the request matched, or {@link Route#UNMATCHED}
     * @param startNanos {@link System#nanoTime()} when the request's head arrived
     */
    void answered(String route, String method, int status, long startNanos);
}
