package dev.smartflow.store.redis;

import dev.smartflow.core.spi.BudgetState;
import dev.smartflow.core.spi.Reservation;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.WindowDecision;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link SharedState} on Redis, so that every gateway instance pointed at the same server and prefix shares
 * counters, windows, budgets and messages.
 *
 * <pre>{@code
 * try (SharedState state = RedisSharedState.connect("redis://127.0.0.1:6379", "smartflow:")) {
 *     Reservation hold = state.reserve("key:team-a:2026-11", 2_000, 50_000_000);
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one instance per process. Every call blocks until Redis answers (the command timeout comes
 * from the URL, e.g. {@code redis://host:6379?timeout=2s}, Lettuce's default otherwise); run calls on virtual threads.
 * Failures of Redis surface as Lettuce's {@link io.lettuce.core.RedisException}. Published messages are delivered to
 * listeners on the executor given to {@link #connect(String, String, Executor)}, by default on one virtual thread of
 * this instance, in the order they arrived.
 */
public final class RedisSharedState implements SharedState {
    /*
     * Design.
     *
     * One StatefulRedisConnection carries every command from every thread: Lettuce pipelines them over one socket,
     * which is thread-safe and faster than a pool. That rules out MULTI/EXEC (a transaction on a shared connection
     * would take in other threads' commands), so each operation that must check and update atomically is one Lua
     * script (see Scripts), loaded at connect and invoked by EVALSHA; when the server has lost its script cache
     * (restart, SCRIPT FLUSH, failover) the NOSCRIPT error makes us send the source once with EVAL, which caches it
     * again. Pub/sub needs a connection of its own, opened at the first subscribe.
     *
     * Time. Budget holds and rate windows are timed by the Redis server's clock (redis.call('TIME') inside the
     * scripts), not by this JVM's: every instance then agrees on when a hold expires and which hits are still in a
     * window, however far apart their clocks are. TTLs are Redis's own. So this class has no clock of its own.
     *
     * Keys, under the prefix:
     *   kv:<key>                         strings and hashes
     *   budget:{<key>}                   hash {spent, reserved}
     *   budget:{<key>}:holds             sorted set of open holds, member <id>:<micros>, score deadline ms
     *   rate:{<key>}                     hash of the window's steps: field step number, value weight
     * A script's keys share a {hash tag}, so they land in one slot should the deployment move to Redis Cluster.
     * Channels are <prefix>channel:<name>. A window's key expires one window (and a step) after the last admitted hit,
     * so idle windows cost nothing; budgets stay until reset (their names carry their period).
     *
     * Reservations that are never settled do not leak: their hold's deadline is in the sorted set, and every reserve
     * and budget read first drops the holds whose deadline passed and takes their amount out of reserved. The rate
     * window is counted in 60 steps (at most 60 hash fields a key, whatever the rate), see InMemorySharedState for
     * the reasoning.
     */
    public static final String DEFAULT_PREFIX = "smartflow:";

    private static final System.Logger LOG = System.getLogger(RedisSharedState.class.getName());

    private final String prefix;
    private final RedisClient client;
    private final boolean ownsClient;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final Executor listenerExecutor;
    private final ExecutorService ownedExecutor;
    private final ReentrantLock subscriptionLock = new ReentrantLock();
    private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;

    private RedisSharedState(RedisClient client, boolean ownsClient, String prefix, Executor listenerExecutor) {
        this.prefix = prefix;
        this.client = client;
        this.ownsClient = ownsClient;
        this.connection = client.connect();
        this.redis = connection.sync();
        try {
            for (Script script : Scripts.ALL) {
                String sha = redis.scriptLoad(script.source());
                if (!sha.equals(script.sha())) {
                    throw new IllegalStateException("Redis named script " + script.name() + " " + sha
                            + ", expected " + script.sha());
                }
            }
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
        if (listenerExecutor == null) {
            this.ownedExecutor =
                    Executors.newSingleThreadExecutor(Thread.ofVirtual().name("smartflow-pubsub").factory());
            this.listenerExecutor = ownedExecutor;
        } else {
            this.ownedExecutor = null;
            this.listenerExecutor = listenerExecutor;
        }
    }

    /** Connects with the {@link #DEFAULT_PREFIX}. See {@link #connect(String, String, Executor)}. */
    public static RedisSharedState connect(String redisUrl) {
        return connect(redisUrl, DEFAULT_PREFIX);
    }

    /** Connects, delivering messages on a virtual thread of its own. See {@link #connect(String, String, Executor)}. */
    public static RedisSharedState connect(String redisUrl, String prefix) {
        return open(redisUrl, prefix, null);
    }

    /**
     * Connects to the Redis at {@code redisUrl} ({@code redis://[user:password@]host:port[/db][?timeout=2s]}, or
     * {@code rediss://} for TLS) and keeps every key and channel under {@code prefix}. Closing the state closes the
     * connections.
     *
     * @param listenerExecutor runs the delivery of each published message; it should not run them on the calling
     *                         thread, which is Lettuce's I/O thread (a listener that calls Redis from there would
     *                         wait on itself)
     * @throws IllegalArgumentException when the URL is malformed
     * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached
     */
    public static RedisSharedState connect(String redisUrl, String prefix, Executor listenerExecutor) {
        return open(redisUrl, prefix, Objects.requireNonNull(listenerExecutor, "listenerExecutor"));
    }

    /**
     * Uses a {@link RedisClient} that the caller owns and shares (its connection resources, e.g. with the cache
     * module); closing the state closes its connections, not the client.
     *
     * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached
     */
    public static RedisSharedState connect(RedisClient client, String prefix, Executor listenerExecutor) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(listenerExecutor, "listenerExecutor");
        return new RedisSharedState(client, false, Objects.requireNonNull(prefix, "prefix"), listenerExecutor);
    }

    private static RedisSharedState open(String redisUrl, String prefix, Executor listenerExecutor) {
        Objects.requireNonNull(redisUrl, "redisUrl");
        Objects.requireNonNull(prefix, "prefix");
        RedisURI uri = RedisURI.create(redisUrl);
        RedisClient client = RedisClient.create(uri);
        try {
            RedisSharedState state = new RedisSharedState(client, true, prefix, listenerExecutor);
            LOG.log(System.Logger.Level.INFO, () -> "shared state on Redis at " + uri.getHost() + ":" + uri.getPort()
                    + " under prefix '" + prefix + "'");
            return state;
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    @Override
    public Optional<String> get(String key) {
        String name = kv(key);
        return call(() -> Optional.ofNullable(redis.get(name)));
    }

    @Override
    public void set(String key, String value, Optional<Duration> ttl) {
        String name = kv(key);
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isPresent()) {
            long millis = millis(ttl.get());
            call(() -> redis.set(name, value, SetArgs.Builder.px(millis)));
        } else {
            call(() -> redis.set(name, value));
        }
    }

    @Override
    public boolean setIfAbsent(String key, String value, Duration ttl) {
        String name = kv(key);
        Objects.requireNonNull(value, "value");
        long millis = millis(ttl);
        return call(() -> redis.set(name, value, SetArgs.Builder.nx().px(millis))) != null;
    }

    @Override
    public boolean delete(String key) {
        String name = kv(key);
        return call(() -> redis.del(name)) == 1;
    }

    @Override
    public long increment(String key, long delta, Optional<Duration> ttlWhenCreated) {
        String name = kv(key);
        Objects.requireNonNull(ttlWhenCreated, "ttlWhenCreated");
        if (ttlWhenCreated.isEmpty()) {
            return call(() -> redis.incrby(name, delta));
        }
        long millis = millis(ttlWhenCreated.get());
        return this.<Long>run(Scripts.INCREMENT, ScriptOutputType.INTEGER, new String[] {name},
                Long.toString(delta), Long.toString(millis));
    }

    @Override
    public Map<String, String> hashGetAll(String key) {
        String name = kv(key);
        return Map.copyOf(call(() -> redis.hgetall(name)));
    }

    @Override
    public void hashPut(String key, String field, String value) {
        String name = kv(key);
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(value, "value");
        call(() -> redis.hset(name, field, value));
    }

    @Override
    public long hashIncrement(String key, String field, long delta) {
        String name = kv(key);
        Objects.requireNonNull(field, "field");
        return call(() -> redis.hincrby(name, field, delta));
    }

    @Override
    public Optional<Duration> ttl(String key) {
        String name = kv(key);
        long millis = call(() -> redis.pttl(name));
        return millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
    }

    @Override
    public boolean expire(String key, Duration ttl) {
        String name = kv(key);
        long millis = millis(ttl);
        return call(() -> redis.pexpire(name, millis));
    }

    @Override
    public Reservation reserve(String budgetKey, long micros, long limitMicros, Duration hold) {
        String[] keys = budgetKeys(budgetKey);
        requireNotNegative(micros, "micros");
        requireNotNegative(limitMicros, "limitMicros");
        long holdMillis = millis(hold);
        String id = randomId();
        List<Object> answer = run(Scripts.RESERVE, ScriptOutputType.MULTI, keys, id, Long.toString(micros),
                Long.toString(limitMicros), Long.toString(holdMillis));
        long committed = (Long) answer.get(1);
        return (Long) answer.get(0) == 1
                ? Reservation.granted(budgetKey, id, micros, limitMicros, committed)
                : Reservation.denied(budgetKey, micros, limitMicros, committed);
    }

    @Override
    public void settle(Reservation reservation, long actualMicros) {
        Objects.requireNonNull(reservation, "reservation");
        if (!reservation.granted()) {
            throw new IllegalArgumentException("cannot settle a denied reservation of " + reservation.budgetKey());
        }
        requireNotNegative(actualMicros, "actualMicros");
        run(Scripts.SETTLE, ScriptOutputType.INTEGER, budgetKeys(reservation.budgetKey()), holdMember(reservation),
                Long.toString(reservation.micros()), Long.toString(actualMicros));
    }

    @Override
    public void release(Reservation reservation) {
        Objects.requireNonNull(reservation, "reservation");
        if (!reservation.granted()) {
            return;
        }
        run(Scripts.RELEASE, ScriptOutputType.INTEGER, budgetKeys(reservation.budgetKey()), holdMember(reservation),
                Long.toString(reservation.micros()));
    }

    @Override
    public BudgetState budget(String budgetKey) {
        List<Object> answer = run(Scripts.BUDGET, ScriptOutputType.MULTI, budgetKeys(budgetKey));
        return new BudgetState((Long) answer.get(0), (Long) answer.get(1));
    }

    @Override
    public void resetBudget(String budgetKey) {
        String[] keys = budgetKeys(budgetKey);
        call(() -> redis.del(keys));
    }

    @Override
    public WindowDecision hit(String key, Duration window, long limit, long cost) {
        // "rate:", not the "window:" of the per-hit log this replaced: a sorted set left by an older version must
        // not meet this hash
        String name = prefix + "rate:{" + Objects.requireNonNull(key, "key") + "}";
        long windowMillis = millis(window);
        requireNotNegative(limit, "limit");
        requireNotNegative(cost, "cost");
        List<Object> answer = run(Scripts.HIT, ScriptOutputType.MULTI, new String[] {name},
                Long.toString(windowMillis), Long.toString(limit), Long.toString(cost),
                Integer.toString(SharedState.WINDOW_STEPS));
        long used = (Long) answer.get(1);
        return (Long) answer.get(0) == 1
                ? WindowDecision.admitted(used, limit)
                : WindowDecision.denied(used, limit, Duration.ofMillis(Math.max(0, (Long) answer.get(2))));
    }

    @Override
    public Subscription subscribe(String channel, Consumer<String> listener) {
        String name = channel(channel);
        Objects.requireNonNull(listener, "listener");
        Consumer<String> registered = listener::accept; // a distinct instance, so removal removes only this one
        subscriptionLock.lock();
        try {
            requireOpen();
            StatefulRedisPubSubConnection<String, String> connection = pubSub();
            List<Consumer<String>> current = listeners.computeIfAbsent(name, c -> new CopyOnWriteArrayList<>());
            current.add(registered);
            if (current.size() == 1) {
                call(() -> {
                    connection.sync().subscribe(name);
                    return null;
                });
            }
        } finally {
            subscriptionLock.unlock();
        }
        return () -> unsubscribe(name, registered);
    }

    @Override
    public void publish(String channel, String message) {
        String name = channel(channel);
        Objects.requireNonNull(message, "message");
        call(() -> redis.publish(name, message));
    }

    @Override
    public void close() {
        subscriptionLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            listeners.clear();
            if (pubSub != null) {
                pubSub.close();
            }
        } finally {
            subscriptionLock.unlock();
        }
        connection.close();
        if (ownsClient) {
            client.shutdown();
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }

    private void unsubscribe(String name, Consumer<String> registered) {
        subscriptionLock.lock();
        try {
            List<Consumer<String>> current = listeners.get(name);
            if (closed || current == null || !current.remove(registered) || !current.isEmpty()) {
                return;
            }
            listeners.remove(name);
            pubSub.sync().unsubscribe(name);
        } finally {
            subscriptionLock.unlock();
        }
    }

    private StatefulRedisPubSubConnection<String, String> pubSub() {
        if (pubSub == null) {
            pubSub = client.connectPubSub();
            pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    dispatch(channel, message);
                }
            });
        }
        return pubSub;
    }

    private void dispatch(String channel, String message) {
        for (Consumer<String> listener : listeners.getOrDefault(channel, List.of())) {
            try {
                listenerExecutor.execute(() -> deliver(channel, listener, message));
            } catch (RejectedExecutionException e) {
                LOG.log(System.Logger.Level.WARNING, "message on channel " + channel + " not delivered", e);
            }
        }
    }

    private static void deliver(String channel, Consumer<String> listener, String message) {
        try {
            listener.accept(message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener on channel " + channel + " failed", e);
        }
    }

    private <T> T run(Script script, ScriptOutputType type, String[] keys, String... args) {
        return call(() -> {
            try {
                return redis.evalsha(script.sha(), type, keys, args);
            } catch (RedisNoScriptException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "script " + script.name() + " not cached, sending it");
                return redis.eval(script.source(), type, keys, args);
            }
        });
    }

    /** Runs a command; Redis's answer to misuse (wrong type, not an integer) becomes the SPI's exception. */
    private <T> T call(Supplier<T> command) {
        requireOpen();
        try {
            return command.get();
        } catch (RedisCommandExecutionException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("WRONGTYPE") || message.contains("not an integer")
                    || message.contains("overflow")) {
                throw new IllegalStateException(message, e);
            }
            throw e;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("shared state is closed");
        }
    }

    private String kv(String key) {
        return prefix + "kv:" + Objects.requireNonNull(key, "key");
    }

    private String[] budgetKeys(String budgetKey) {
        String name = prefix + "budget:{" + Objects.requireNonNull(budgetKey, "budgetKey") + "}";
        return new String[] {name, name + ":holds"};
    }

    private String channel(String channel) {
        return prefix + "channel:" + Objects.requireNonNull(channel, "channel");
    }

    private static String holdMember(Reservation reservation) {
        return reservation.id() + ":" + reservation.micros();
    }

    private static String randomId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }

    /** Whole milliseconds, rounded up so that a positive duration never becomes 0. */
    private static long millis(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + duration);
        }
        if (duration.compareTo(Duration.ofDays(365L * 100)) > 0) {
            return Duration.ofDays(365L * 100).toMillis();
        }
        long millis = duration.toMillis();
        return duration.equals(Duration.ofMillis(millis)) ? millis : millis + 1;
    }

    private static void requireNotNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }
}
