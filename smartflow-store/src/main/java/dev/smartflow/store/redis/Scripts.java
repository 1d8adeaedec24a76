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

    /** KEYS: hash. ARGV: field, delta, limit. Returns {admitted 0/1, value after (or as it stays)}. */
    static final Script INCREMENT_WITHIN = Script.of("increment_within", """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            local value = tonumber(current or '0')
            if value == nil then
              return redis.error_reply('ERR hash value is not an integer')
            end
            if value + tonumber(ARGV[2]) > tonumber(ARGV[3]) then
              return {0, 0}
            end
            return {1, redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])}
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
     * KEYS: the window's hash (field: step number, value: weight). ARGV: window ms, limit, cost, steps per window.
     * Returns {admitted 0/1, used, retry-after ms}. Steps that left the window are deleted as they are met, so the
     * hash holds at most one field per step.
     */
    static final Script HIT = Script.of("hit", NOW + """
            local now = now_ms()
            local window = tonumber(ARGV[1])
            local step = math.max(1, math.floor(window / tonumber(ARGV[4])))
            local steps = math.ceil(window / step)
            local current = math.floor(now / step)
            local fields = redis.call('HGETALL', KEYS[1])
            local used = 0
            local live = {}
            for i = 1, #fields, 2 do
              local s = tonumber(fields[i])
              if s > current - steps and s <= current then
                local w = tonumber(fields[i + 1])
                used = used + w
                live[#live + 1] = {s, w}
              else
                redis.call('HDEL', KEYS[1], fields[i])
              end
            end
            local limit = tonumber(ARGV[2])
            local cost = tonumber(ARGV[3])
            if used + cost <= limit then
              if cost > 0 then
                redis.call('HINCRBY', KEYS[1], string.format('%d', current), ARGV[3])
                redis.call('PEXPIRE', KEYS[1], string.format('%d', window + step))
              end
              return {1, used + cost, 0}
            end
            if cost > limit then
              return {0, used, window}
            end
            table.sort(live, function(a, b) return a[1] < b[1] end)
            local must_leave = used + cost - limit
            local left = 0
            for _, entry in ipairs(live) do
              left = left + entry[2]
              if left >= must_leave then
                return {0, used, (entry[1] + steps) * step - now}
              end
            end
            return {0, used, window}
            """);

    static final Script[] ALL = {INCREMENT, INCREMENT_WITHIN, RESERVE, SETTLE, RELEASE, BUDGET, HIT};

    private Scripts() {
    }
}
