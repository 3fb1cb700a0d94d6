package io.graypipe.front.task;

import io.graypipe.front.fair.Share;

/**
 * Who sent a request: the name of its API key, or {@value #ANONYMOUS} and the address it is limited by (an IPv4
 * address, or an IPv6 client's /64). Made once per request by the HTTP layer, carried on the upload and the task
 * as its owner: the fair queue serves by it, the rate limiter counts by it, the metrics label by {@link #name()}.
 *
 * @param weight the client's share of the service against the others (1 for anonymous clients)
 */
public record ClientId(String name, String address, int weight) {
    public static final String ANONYMOUS = "anonymous";
    /** The owner of work that no request of this front brought: recovered tasks, tasks taken from a shared store. */
    public static final ClientId UNKNOWN = anonymous("-");

    public static ClientId anonymous(String address) {
        return new ClientId(ANONYMOUS, address, 1);
    }

    /** Whether this client showed a configured API key. */
    public boolean keyed() {
        return !ANONYMOUS.equals(name);
    }

    /** What its rate limit and fair share are counted by: the key's name, or an anonymous client's address. */
    public String limitKey() {
        return keyed() ? "key:" + name : "addr:" + address;
    }

    /** Its lane and weight in every fair queue: by {@link #limitKey()}, like its rate limit. */
    public Share share() {
        return new Share(limitKey(), weight);
    }
}
