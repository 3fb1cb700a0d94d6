package io.graypipe.front.store;

import java.util.Locale;

/**
 * The shared task store could not do what was asked, for a reason a client can wait out. The HTTP layer maps
 * both reasons to 503 with {@code Retry-After}, in its one error table; the store itself knows nothing of HTTP.
 */
public final class StoreException extends RuntimeException {
    /** Why the store refused. */
    public enum Reason {
        /** The store cannot be reached, or did not answer in time. */
        STORAGE_UNAVAILABLE,
        /** The store is out of room (Redis at its {@code maxmemory}). */
        STORAGE_FULL;

        /** The error code clients see, as in {@code {"error":{"code":"storage_full"}}}. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
