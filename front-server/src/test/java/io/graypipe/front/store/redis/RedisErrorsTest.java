package io.graypipe.front.store.redis;

import io.graypipe.front.store.StoreException;
import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;

import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Which of Lettuce's failures are the store's domain reasons (the HTTP answer follows from those). */
class RedisErrorsTest {
    @Test
    void aConnectionResetUnderACommandIsTheStoreBeingAway() {
        // What a command under way got from Lettuce while the cluster chaos soak restarted Redis (it was a 500).
        for (Throwable reset : new Throwable[]{new SocketException("Connection reset"), new ClosedChannelException()}) {
            Throwable translated = RedisErrors.translate(new CompletionException(reset));
            StoreException store = assertInstanceOf(StoreException.class, translated);
            assertEquals(StoreException.Reason.STORAGE_UNAVAILABLE, store.reason());
        }
    }

    @Test
    void outOfMemoryIsFullAndAScriptBugStaysABug() {
        StoreException full = assertInstanceOf(StoreException.class, RedisErrors.translate(
                new RedisCommandExecutionException("OOM command not allowed when used memory > 'maxmemory'.")));
        assertEquals(StoreException.Reason.STORAGE_FULL, full.reason());
        RedisCommandExecutionException bug = new RedisCommandExecutionException("ERR wrong number of arguments");
        assertSame(bug, RedisErrors.translate(bug));
    }
}
