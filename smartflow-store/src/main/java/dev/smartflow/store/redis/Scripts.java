package dev.smartflow.store.redis;

/**
 * The Lua scripts behind RedisSharedState's atomic operations. Each runs as one Redis command, so its check and its
 * update cannot interleave with another client's.
 *
 * <p>Numbers: Lua holds them as doubles and prints them with 14 significant digits, so every number handed back to
 * Redis goes through {@code string.format('%d', n)}, and amounts the client sent are passed on as the strings they
 * came in. Time is the server's, in milliseconds ({@code TIME}; scripts are replicated by effects, so this is allowed).
 * Members of the sorted sets are {@code <id>:<amount>}, so an expired member says how much it frees.
 */
final class Scripts {
    private static final String NOW = """
            local function now_ms()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            local function amount(member)
              return tonumber(string.match(member, ':(%d+)$'))
            end
            """;

    private static final String DROP_EXPIRED_HOLDS = """
            local function drop_expired_holds(budget, holds, now)
              local cutoff = string.format('%d', now)
              local expired = redis.call('ZRANGEBYSCORE', holds, '-inf', cutoff)
              if #expired == 0 then
                return
              end
              local freed = 0
              for _, member in ipairs(expired) do
                freed = freed + amount(member)
              end
              redis.call('ZREMRANGEBYSCORE', holds, '-inf', cutoff)
              redis.call('HINCRBY', budget, 'reserved', string.format('%d', -freed))
            end
            """;

    /** KEYS: key. ARGV: delta, ttl ms. Returns the new value. */
    static final Script INCREMENT = Script.of("increment", """
            local created = redis.call('EXISTS', KEYS[1]) == 0
            local value = redis.call('INCRBY', KEYS[1], ARGV[1])
            if created then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return value
            """);

    /** KEYS: budget hash, holds zset. ARGV: id, micros, limit, hold ms. Returns {granted 0/1, committed}. */
    static final Script RESERVE = Script.of("reserve", NOW + DROP_EXPIRED_HOLDS + """
            local now = now_ms()
            drop_expired_holds(KEYS[1], KEYS[2], now)
            local committed = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
                + tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
            local micros = tonumber(ARGV[2])
            if committed + micros > tonumber(ARGV[3]) then
              return {0, committed}
            end
            redis.call('HINCRBY', KEYS[1], 'reserved', ARGV[2])
            redis.call('ZADD', KEYS[2], string.format('%d', now + tonumber(ARGV[4])), ARGV[1] .. ':' .. ARGV[2])
            return {1, committed + micros}
            """);

    /** KEYS: budget hash, holds zset. ARGV: member, micros, actual micros. */
    static final Script SETTLE = Script.of("settle", """
            if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 and ARGV[2] ~= '0' then
              redis.call('HINCRBY', KEYS[1], 'reserved', '-' .. ARGV[2])
            end
            redis.call('HINCRBY', KEYS[1], 'spent', ARGV[3])
            return 1
            """);

    /** KEYS: budget hash, holds zset. ARGV: member, micros. */
    static final Script RELEASE = Script.of("release", """
            if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 and ARGV[2] ~= '0' then
              redis.call('HINCRBY', KEYS[1], 'reserved', '-' .. ARGV[2])
            end
            return 1
            """);

    /** KEYS: budget hash, holds zset. Returns {spent, reserved}. */
    static final Script BUDGET = Script.of("budget", NOW + DROP_EXPIRED_HOLDS + """
            drop_expired_holds(KEYS[1], KEYS[2], now_ms())
            return {tonumber(redis.call('HGET', KEYS[1], 'spent') or '0'),
                    tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')}
            """);

    /**
     * KEYS: log zset (score: time ms), sum. ARGV: window ms, limit, cost, member id. Returns {admitted 0/1, used,
     * retry-after ms}.
     */
    static final Script HIT = Script.of("hit", NOW + """
            local now = now_ms()
            local window = tonumber(ARGV[1])
            local cutoff = string.format('%d', now - window)
            local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
            if #expired > 0 then
              local freed = 0
              for _, member in ipairs(expired) do
                freed = freed + amount(member)
              end
              redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
              redis.call('DECRBY', KEYS[2], string.format('%d', freed))
            end
            local used = tonumber(redis.call('GET', KEYS[2]) or '0')
            local limit = tonumber(ARGV[2])
            local cost = tonumber(ARGV[3])
            if used + cost <= limit then
              if cost > 0 then
                redis.call('ZADD', KEYS[1], string.format('%d', now), ARGV[4] .. ':' .. ARGV[3])
                redis.call('INCRBY', KEYS[2], ARGV[3])
                redis.call('PEXPIRE', KEYS[1], ARGV[1])
                redis.call('PEXPIRE', KEYS[2], ARGV[1])
              end
              return {1, used + cost, 0}
            end
            if cost > limit then
              return {0, used, window}
            end
            local must_leave = used + cost - limit
            local left = 0
            local hits = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
            for i = 1, #hits, 2 do
              left = left + amount(hits[i])
              if left >= must_leave then
                return {0, used, tonumber(hits[i + 1]) + window - now}
              end
            end
            return {0, used, window}
            """);

    static final Script[] ALL = {INCREMENT, RESERVE, SETTLE, RELEASE, BUDGET, HIT};

    private Scripts() {
    }
}
