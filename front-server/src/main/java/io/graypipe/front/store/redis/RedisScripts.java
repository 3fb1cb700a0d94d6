package io.graypipe.front.store.redis;

/**
 * The Lua scripts that change a task. Each runs atomically in Redis, so every reader, on any front, sees a task
 * either before or after a change, never half of one: a result is never there without its {@code done} state
 * nor the reverse, and a task that is already final never changes again, so a second front finishing the same
 * task (after a claim) changes nothing. Redis also refuses a script under {@code maxmemory} before its first write,
 * so a refusal leaves nothing half written.
 *
 * <p>Every key a script touches is a control key ({@link RedisKeys}): one hash tag, so one Redis Cluster slot. The
 * batch keys are built inside the scripts from the control prefix (ARGV {@code prefix}), as a task only knows its
 * batch once it is in one; they share the tag, so they share the slot. Uploads and results are data keys in other
 * slots, so no script touches them: {@link RedisTasks} writes and deletes them with single-key commands around the
 * script, in an order that keeps the guarantees (see there). {@code RedisKeySlotsTest} checks the slots.
 */
final class RedisScripts {
    private RedisScripts() {
    }

    private static final String COMMON = """
            local FINAL = { done = true, failed = true, cancelled = true }

            local function announce(prefix, stream)
              redis.call('PUBLISH', prefix .. 'notify', stream)
            end

            -- Acknowledges and deletes a work entry of a client queue; a queue left empty leaves the ring and the
            -- claim scan, and is deleted with its group (CREATE makes both again for the client's next task).
            local function release_work(prefix, queue, group, entry)
              if entry == '' then return end
              redis.call('XACK', queue, group, entry)
              redis.call('XDEL', queue, entry)
              if redis.call('XLEN', queue) > 0 then return end
              local ring = prefix .. 'work:ring'
              if redis.call('LINDEX', ring, 0) == queue then redis.call('DEL', prefix .. 'work:turn') end
              redis.call('LREM', ring, 0, queue)
              redis.call('SREM', prefix .. 'work:queues', queue)
              redis.call('HDEL', prefix .. 'work:weights', queue)
              redis.call('DEL', queue)
            end

            -- Records a task's new status in its batch, if it has one; a new state is also an event of the batch,
            -- and the last task to finish finishes the batch, which then expires after the TTL like its tasks.
            local function batch_changed(prefix, task_id, batch_id, state, status, new_state, final, ttl)
              if not batch_id or batch_id == '' then return end
              local bkey = prefix .. 'batch:' .. batch_id
              if redis.call('EXISTS', bkey) == 0 then return end
              redis.call('HSET', bkey, 's:' .. task_id, status)
              if not new_state then return end
              local bevents = prefix .. 'events:batch:' .. batch_id
              redis.call('XADD', bevents, '*', 'event', state, 'task', task_id, 'data', status)
              if final then
                local finished = redis.call('HINCRBY', bkey, 'finished', 1)
                if finished == tonumber(redis.call('HGET', bkey, 'total')) and redis.call('HGET', bkey, 'open') ~= '1' then
                  local now = redis.call('TIME')
                  redis.call('HSET', bkey, 'finished_at', string.format('%d', now[1] * 1000 + math.floor(now[2] / 1000)))
                  redis.call('PEXPIRE', bkey, ttl)
                  redis.call('PEXPIRE', bevents, ttl)
                end
              end
              announce(prefix, bevents)
            end
            """;

    /**
     * KEYS: task, task events, the owner's work queue, ring, weights, queues, wake. ARGV: id, state, status, format,
     * quality, prefix, owner JSON, owner's weight, group. The upload is stored before. The task joins the end of its
     * owner's queue, and the owner joins the ring unless it is in it. Returns the id of the task's first event.
     */
    static final String CREATE = COMMON + """
            if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('ERR task ' .. ARGV[1] .. ' exists') end
            redis.call('HSET', KEYS[1], 'state', ARGV[2], 'status', ARGV[3], 'format', ARGV[4], 'quality', ARGV[5], 'batch', '', 'owner', ARGV[7])
            local event = redis.call('XADD', KEYS[2], '*', 'event', ARGV[2], 'task', ARGV[1], 'data', ARGV[3])
            if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('XGROUP', 'CREATE', KEYS[3], ARGV[9], '0', 'MKSTREAM') end
            redis.call('XADD', KEYS[3], '*', 'task', ARGV[1])
            redis.call('HSET', KEYS[5], KEYS[3], ARGV[8])
            redis.call('SADD', KEYS[6], KEYS[3])
            if not redis.call('LPOS', KEYS[4], KEYS[3]) then redis.call('RPUSH', KEYS[4], KEYS[3]) end
            redis.call('RPUSH', KEYS[7], '1')
            redis.call('LTRIM', KEYS[7], -16, -1)
            announce(ARGV[6], KEYS[2])
            return event
            """;

    /**
     * Up to {@code max} work entries for one front, atomically. KEYS: ring, turn, weights, queues, the one stream
     * of fronts before per-client queues (taken from like a client's queue, owner unknown, until it is empty).
     * ARGV: group, consumer, max, claim idle ms. First entries of any client's queue that no front touched for the
     * claim idle time ({@code XAUTOCLAIM}, with the delivery count from {@code XPENDING}); then new entries by
     * deficit round robin over the ring of clients, every task costing one and a turn worth the client's weight:
     * the client at the head is read ({@code XREADGROUP}, oldest first) until its turn is spent, then goes to the
     * back; a client with nothing new leaves the ring until its next task. What is left of a turn is kept, so one
     * task per take still alternates fairly. Returns {queue, entry id, task id, deliveries} per entry. The client
     * queues, named in the set and the ring, are control keys like the declared ones: one slot.
     */
    static final String TAKE = """
            local group, consumer, max, idle = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
            local taken = {}
            local function task_of(fields)
              for i = 1, #fields, 2 do if fields[i] == 'task' then return fields[i + 1] end end
              return ''
            end
            if redis.call('EXISTS', KEYS[5]) == 1 and redis.call('SISMEMBER', KEYS[4], KEYS[5]) == 0 then
              redis.call('SADD', KEYS[4], KEYS[5])
              redis.call('RPUSH', KEYS[1], KEYS[5])
            end
            for _, queue in ipairs(redis.call('SMEMBERS', KEYS[4])) do
              if #taken >= max then break end
              local claimed = redis.pcall('XAUTOCLAIM', queue, group, consumer, idle, '0-0', 'COUNT', max - #taken)
              if type(claimed) == 'table' and not claimed.err then
                for _, entry in ipairs(claimed[2]) do
                  if entry then
                    local pending = redis.call('XPENDING', queue, group, entry[1], entry[1], 1)
                    local deliveries = pending[1] and pending[1][4] or 2
                    taken[#taken + 1] = {queue, entry[1], task_of(entry[2]), deliveries}
                  end
                end
              elseif redis.call('EXISTS', queue) == 0 then
                redis.call('SREM', KEYS[4], queue)
              end
            end
            while #taken < max do
              local queue = redis.call('LINDEX', KEYS[1], 0)
              if not queue then break end
              local credit = tonumber(redis.call('GET', KEYS[2]) or '0')
              if credit <= 0 then credit = tonumber(redis.call('HGET', KEYS[3], queue) or '1') end
              local read = redis.pcall('XREADGROUP', 'GROUP', group, consumer, 'COUNT', math.min(credit, max - #taken),
                'STREAMS', queue, '>')
              local entries = {}
              if type(read) == 'table' and not read.err and read[1] then entries = read[1][2] end
              for _, entry in ipairs(entries) do
                taken[#taken + 1] = {queue, entry[1], task_of(entry[2]), 1}
              end
              credit = credit - #entries
              if #entries == 0 then
                redis.call('LPOP', KEYS[1])
                redis.call('DEL', KEYS[2])
              elseif credit <= 0 then
                redis.call('LMOVE', KEYS[1], KEYS[1], 'LEFT', 'RIGHT')
                redis.call('DEL', KEYS[2])
              else
                redis.call('SET', KEYS[2], credit)
              end
            end
            return taken
            """;

    /** Drops a work entry whose task is gone. KEYS: the entry's queue. ARGV: prefix, group, entry id. */
    static final String DROP_WORK = COMMON + """
            release_work(ARGV[1], KEYS[1], ARGV[2], ARGV[3])
            return 1
            """;

    /**
     * A change short of final. KEYS: task, task events. ARGV: id, state, status, prefix.
     * Returns 1 when changed, 0 when the task was already final, -1 when it is gone.
     */
    static final String UPDATE = COMMON + """
            local current = redis.call('HGET', KEYS[1], 'state')
            if not current then return -1 end
            if FINAL[current] then return 0 end
            redis.call('HSET', KEYS[1], 'state', ARGV[2], 'status', ARGV[3])
            local new_state = current ~= ARGV[2]
            if new_state then
              redis.call('XADD', KEYS[2], '*', 'event', ARGV[2], 'task', ARGV[1], 'data', ARGV[3])
              announce(ARGV[4], KEYS[2])
            end
            batch_changed(ARGV[4], ARGV[1], redis.call('HGET', KEYS[1], 'batch'), ARGV[2], ARGV[3], new_state, false, 0)
            return 1
            """;

    /**
     * The one move to a final state. KEYS: task, task events, the work queue of its entry. ARGV: id, state, status, prefix, ttl ms, work
     * entry id or '', group, the key of the result stored before (done only, else ''), recorded in the task.
     * The work entry is acknowledged and deleted whatever happens, so the loser of a race leaves nothing pending.
     * Returns 1 when this call finished the task, 0 when it was already final, -1 when it is gone.
     */
    static final String FINISH = COMMON + """
            local function release()
              release_work(ARGV[4], KEYS[3], ARGV[7], ARGV[6])
            end
            local current = redis.call('HGET', KEYS[1], 'state')
            if not current then release() return -1 end
            if FINAL[current] then release() return 0 end
            redis.call('HSET', KEYS[1], 'state', ARGV[2], 'status', ARGV[3], 'result', ARGV[8])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('XADD', KEYS[2], '*', 'event', ARGV[2], 'task', ARGV[1], 'data', ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[5])
            announce(ARGV[4], KEYS[2])
            batch_changed(ARGV[4], ARGV[1], redis.call('HGET', KEYS[1], 'batch'), ARGV[2], ARGV[3], true, true, ARGV[5])
            release()
            return 1
            """;

    /**
     * Cancels a task unless it is final, then forgets it (its upload and result are deleted after). Its events stay
     * until the TTL, so a client following them sees the cancellation. KEYS: task, task events.
     * ARGV: id, the status the caller read, the cancelled status, prefix, ttl ms.
     * Returns 1 when deleted, -1 when gone, -2 when the status changed since the caller read it (read again).
     */
    static final String DELETE = COMMON + """
            local current = redis.call('HGET', KEYS[1], 'state')
            if not current then return -1 end
            if redis.call('HGET', KEYS[1], 'status') ~= ARGV[2] then return -2 end
            if not FINAL[current] then
              redis.call('XADD', KEYS[2], '*', 'event', 'cancelled', 'task', ARGV[1], 'data', ARGV[3])
              redis.call('PEXPIRE', KEYS[2], ARGV[5])
              announce(ARGV[4], KEYS[2])
              batch_changed(ARGV[4], ARGV[1], redis.call('HGET', KEYS[1], 'batch'), 'cancelled', ARGV[3], true, true, ARGV[5])
            end
            redis.call('DEL', KEYS[1])
            return 1
            """;

    /**
     * Groups tasks already created into a batch. KEYS: batch, batch events, running batches, then one task key per
     * task. ARGV: batch id, meta JSON, prefix, ttl ms, then the task ids in the order of their keys.
     * A task that finished (or went) before the batch existed counts as finished at once.
     */
    static final String CREATE_BATCH = COMMON + """
            local total = #KEYS - 3
            local finished = 0
            redis.call('HSET', KEYS[1], 'meta', ARGV[2], 'total', total)
            redis.call('SADD', KEYS[3], ARGV[1])
            for i = 4, #KEYS do
              local id = ARGV[i + 1]
              local state = redis.call('HGET', KEYS[i], 'state')
              if state then
                redis.call('HSET', KEYS[i], 'batch', ARGV[1])
                redis.call('HSET', KEYS[1], 's:' .. id, redis.call('HGET', KEYS[i], 'status'))
                if FINAL[state] then finished = finished + 1 end
              else
                finished = finished + 1
              end
            end
            redis.call('HSET', KEYS[1], 'finished', finished)
            if finished == total then
              local now = redis.call('TIME')
              redis.call('HSET', KEYS[1], 'finished_at', string.format('%d', now[1] * 1000 + math.floor(now[2] / 1000)))
              redis.call('PEXPIRE', KEYS[1], ARGV[4])
            end
            return total
            """;

    /**
     * An empty open batch ({@code POST /batches}). KEYS: batch, running batches. ARGV: meta JSON (no tasks), ttl ms,
     * batch id. It expires after the TTL without a join ({@link #ADD_TO_BATCH} keeps it), unless it is closed and
     * finished later, then after the TTL from then.
     */
    static final String OPEN_BATCH = """
            redis.call('HSET', KEYS[1], 'meta', ARGV[1], 'total', 0, 'finished', 0, 'added', 0, 'open', '1')
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            redis.call('SADD', KEYS[2], ARGV[3])
            return 1
            """;

    /**
     * Adds a task already created to an open batch, from any front. KEYS: batch, task. ARGV: batch id, task id,
     * member JSON ({@code taskId}, {@code filename}), ttl ms. Returns its number in the batch's added members, -1
     * when the batch does not exist, -2 when it is closed. A task already final counts as finished at once. The
     * open batch is kept another TTL from the join.
     */
    static final String ADD_TO_BATCH = COMMON + """
            if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
            if redis.call('HGET', KEYS[1], 'open') ~= '1' then return -2 end
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            local n = redis.call('HINCRBY', KEYS[1], 'added', 1)
            redis.call('HSET', KEYS[1], 'add:' .. n, ARGV[3])
            redis.call('HINCRBY', KEYS[1], 'total', 1)
            local state = redis.call('HGET', KEYS[2], 'state')
            if state then
              redis.call('HSET', KEYS[2], 'batch', ARGV[1])
              redis.call('HSET', KEYS[1], 's:' .. ARGV[2], redis.call('HGET', KEYS[2], 'status'))
            end
            if not state or FINAL[state] then redis.call('HINCRBY', KEYS[1], 'finished', 1) end
            return n
            """;

    /**
     * Closes an open batch: no task joins it any more, and it finishes once every task is final (at once when
     * they already are). KEYS: batch, batch events. ARGV: prefix, ttl ms. Returns 1, or -1 when there is no such
     * batch. A {@code closed} event on the batch's stream wakes the fronts following it. A finished batch expires
     * after the TTL; one still waiting for tasks does not expire until its last task finishes it (each task ends by
     * its deadline), so tasks slower than the TTL cannot outlive their batch.
     */
    static final String CLOSE_BATCH = COMMON + """
            if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
            if redis.call('HGET', KEYS[1], 'open') ~= '1' then return 1 end
            redis.call('HSET', KEYS[1], 'open', '0')
            if tonumber(redis.call('HGET', KEYS[1], 'finished')) == tonumber(redis.call('HGET', KEYS[1], 'total')) then
              local now = redis.call('TIME')
              redis.call('HSET', KEYS[1], 'finished_at', string.format('%d', now[1] * 1000 + math.floor(now[2] / 1000)))
              redis.call('PEXPIRE', KEYS[2], ARGV[2])
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
            else
              redis.call('PERSIST', KEYS[1])
            end
            redis.call('XADD', KEYS[2], '*', 'event', 'closed', 'task', '', 'data', '')
            announce(ARGV[1], KEYS[2])
            return 1
            """;

    /**
     * Keeps the members of running batches. KEYS: running batches. ARGV: prefix, ttl ms. For each batch in the set:
     * gone, it leaves the set; still running, each finished member (a task has an expiry only once final) and its
     * events get at least the TTL again; finished, they get at least the batch's own expiry, and the batch leaves
     * the set. Returns the key of each such member's result with the expiry it needs, flat (key, ms, key, ms...):
     * results live in other slots, so the caller extends them. The task keys are built here from the prefix, like
     * the batch keys in {@code batch_changed}: they share the control tag, so they share the slot.
     */
    static final String KEEP_MEMBERS = """
            local kept = {}
            for _, batch_id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local bkey = ARGV[1] .. 'batch:' .. batch_id
              local target = -1
              if redis.call('EXISTS', bkey) == 0 then
                redis.call('SREM', KEYS[1], batch_id)
              elseif redis.call('HEXISTS', bkey, 'finished_at') == 1 then
                target = redis.call('PTTL', bkey)
                redis.call('SREM', KEYS[1], batch_id)
              else
                target = tonumber(ARGV[2])
              end
              if target > 0 then
                for _, field in ipairs(redis.call('HKEYS', bkey)) do
                  if string.sub(field, 1, 2) == 's:' then
                    local id = string.sub(field, 3)
                    local tkey = ARGV[1] .. 'task:' .. id
                    if redis.call('PTTL', tkey) >= 0 then
                      redis.call('PEXPIRE', tkey, target, 'GT')
                      redis.call('PEXPIRE', ARGV[1] .. 'events:task:' .. id, target, 'GT')
                      local result = redis.call('HGET', tkey, 'result')
                      if result and result ~= '' then
                        table.insert(kept, result)
                        table.insert(kept, target)
                      end
                    end
                  end
                end
              end
            end
            return kept
            """;
}
