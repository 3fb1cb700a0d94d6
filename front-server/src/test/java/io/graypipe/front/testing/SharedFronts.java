package io.graypipe.front.testing;

import java.io.IOException;
import java.time.Duration;

/**
 * Two fronts in this JVM sharing one real Redis ({@code --store}), as scale-out runs them, and on demand HAProxy
 * in front of both with the project's own {@code deploy/haproxy.cfg}. Redis and HAProxy skip the test where they
 * are missing, and fail it where {@code GRAYPIPE_REQUIRE_REDIS} / {@code GRAYPIPE_REQUIRE_HAPROXY} are set.
 */
public final class SharedFronts implements AutoCloseable {
    private final RedisServer redis;
    private final TestFront a;
    private final TestFront b;

    private SharedFronts(RedisServer redis, TestFront a, TestFront b) {
        this.redis = redis;
        this.a = a;
        this.b = b;
    }

    public static SharedFronts start() throws Exception {
        RedisServer redis = RedisServer.start();
        TestFront a = null;
        try {
            a = TestFront.builder().store(redis.uri()).start();
            return new SharedFronts(redis, a, TestFront.builder().store(redis.uri()).start());
        } catch (Exception | Error e) {
            if (a != null) {
                a.close();
            }
            redis.close();
            throw e;
        }
    }

    public TestFront a() {
        return a;
    }

    public TestFront b() {
        return b;
    }

    /** HAProxy before both fronts, returned once it has both in rotation; the caller closes it. */
    public LoadBalancer balanced() throws IOException {
        LoadBalancer.requireInstalled();
        LoadBalancer balancer = LoadBalancer.start(a.address(), b.address());
        try {
            Await.until(Duration.ofSeconds(30), "both fronts in rotation", () -> balancer.frontsUp() == 2);
        } catch (RuntimeException | Error e) {
            balancer.close();
            throw e;
        }
        return balancer;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable closing : new AutoCloseable[] {a, b, redis}) {
            closing.close();
        }
    }
}
