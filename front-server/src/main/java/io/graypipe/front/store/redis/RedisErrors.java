package io.graypipe.front.store.redis;

import io.graypipe.front.store.StoreException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Turns Lettuce's failures into the store's two domain reasons. Anything else (a bug in a script, a wrong type)
 * is left as it is, so it surfaces as an internal error rather than as a misleading "try again later".
 */
final class RedisErrors {
    private RedisErrors() {
    }

    /** {@code stage}, failing with a {@link StoreException} where Redis was down or full. */
    static <T> CompletableFuture<T> translated(CompletionStage<T> stage) {
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(translate(error));
            }
        });
        return result;
    }

    static Throwable translate(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof StoreException) {
            return cause;
        }
        if (cause instanceof RedisCommandExecutionException && isOutOfMemory(cause.getMessage())) {
            return new StoreException(StoreException.Reason.STORAGE_FULL,
                    "Redis is at its maxmemory; fetch or delete finished tasks, or retry after the Retry-After delay",
                    cause);
        }
        // A command under way when Redis goes away fails with the socket's own exception (a bare "Connection reset"
        // SocketException, or a closed channel), not a Lettuce one: the chaos soak saw it as a 500 during a restart.
        if (cause instanceof RedisConnectionException || cause instanceof RedisCommandTimeoutException
                || (cause instanceof RedisException && !(cause instanceof RedisCommandExecutionException))
                || cause instanceof IOException) {
            return new StoreException(StoreException.Reason.STORAGE_UNAVAILABLE,
                    "the task store (Redis) cannot be reached; retry after the Retry-After delay", cause);
        }
        return cause;
    }

    /** Redis answers {@code OOM command not allowed when used memory > 'maxmemory'}, also from inside a script. */
    private static boolean isOutOfMemory(String message) {
        return message != null && (message.startsWith("OOM") || message.contains("OOM command not allowed"));
    }
}
