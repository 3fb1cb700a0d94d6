package io.graypipe.front.http;

import io.graypipe.front.store.redis.RedisConnections;

/** An endpoint reaching into Redis past the task interface, made on purpose for ArchitectureTest. Never used. */
public final class ArchFixtureHttpToStore {
    RedisConnections redis;
}
