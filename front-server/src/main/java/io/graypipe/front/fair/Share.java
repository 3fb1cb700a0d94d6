package io.graypipe.front.fair;

/**
 * Whose work a fair queue holds: the client's lane and its weight, as every fair queue of the front serves them
 * ({@link DeficitRoundRobin}). The task package's {@code ClientId} makes one ({@code ClientId.share()}).
 *
 * @param key    the client's lane: its key's name, or an anonymous client's address
 * @param weight its share of a busy queue against the other clients (1 for anonymous clients)
 */
public record Share(String key, int weight) {
    public Share {
        weight = Math.max(1, weight);
    }
}
