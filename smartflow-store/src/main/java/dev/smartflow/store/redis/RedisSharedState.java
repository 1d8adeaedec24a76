package dev.smartflow.store.redis;

import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.spi.BudgetState;
import dev.smartflow.core.spi.Reservation;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.WindowDecision;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Thread-safe; share one instance per process. Every call blocks until Redis answers, at most the timeout
 * ({@link #DEFAULT_TIMEOUT}, or the one given to {@link #connect(String, String, Duration)}; it replaces a
 * {@code timeout} in the URL); run calls on virtual threads. Published messages are delivered to listeners on the
 * executor given to {@link #connect(String, String, Executor)}, by default on one virtual thread of this instance, in
 * the order they arrived.
 *
 * <p><b>Outages.</b> A call that Redis does not answer within the timeout, or that finds no connection, fails with
 * {@link StateUnavailable}; so do Redis's own "not now" answers ({@code LOADING}, {@code BUSY}, {@code MASTERDOWN},
 * {@code OOM}, ...). Nothing is queued while disconnected and nothing is re-sent after a reconnect
 * ({@link #clientOptions(Duration)}), so a call whose caller was told it failed is not executed later by this client.
 * After a failure, calls fail at once, without waiting, until a background ping finds Redis answering again (every
 * 200 ms); the connection is re-established with delays of at most half a second, so an instance serves again within
 * about a second of Redis's return. {@link #reachable()} reports all this without blocking, for readiness checks.
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
    /** How long a call waits for Redis unless told otherwise: far above a healthy round trip, well below a second. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    /** The longest pause between two reconnection attempts; Lettuce's own default grows to 30 s. */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(500);
    /** How often an unreachable Redis is pinged. */
    static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
    /** How old the last sign of life may be before a readiness check pings Redis in the background. */
    static final Duration READINESS_REFRESH = Duration.ofSeconds(1);
    /** Commands in flight at most; past it calls fail rather than pile up behind a Redis that stopped answering. */
    static final int REQUEST_QUEUE_SIZE = 10_000;

    private static final System.Logger LOG = System.getLogger(RedisSharedState.class.getName());
    /** Error codes with which a Redis that is there says it cannot serve now (restart, busy script, failover). */
    private static final Set<String> UNAVAILABLE_ERRORS = Set.of("LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN",
            "TRYAGAIN", "OOM", "READONLY", "NOREPLICAS");

    private final String prefix;
    private final RedisClient client;
    private final boolean ownsClient;
    /** The client's resources when this instance made them (for the short reconnect delay), to shut down with it. */
    private final ClientResources ownedResources;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final Reachability reachability;
    /** When Redis last answered a readiness ping, in {@link System#nanoTime()}. */
    private volatile long confirmedNanos = System.nanoTime();
    private final AtomicBoolean confirming = new AtomicBoolean();
    private final Executor listenerExecutor;
    private final ExecutorService ownedExecutor;
    private final ReentrantLock subscriptionLock = new ReentrantLock();
    private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;

    private RedisSharedState(RedisClient client, boolean ownsClient, ClientResources ownedResources, String prefix,
                             Executor listenerExecutor) {
        this.prefix = prefix;
        this.client = client;
        this.ownsClient = ownsClient;
        this.ownedResources = ownedResources;
        this.connection = client.connect();
        this.redis = connection.sync();
        this.reachability = new Reachability(redis::ping, PROBE_INTERVAL);
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
        return open(redisUrl, prefix, DEFAULT_TIMEOUT, null);
    }

    /**
     * Connects with calls that wait at most {@code timeout}, delivering messages on a virtual thread of its own. See
     * {@link #connect(String, String, Executor)}.
     *
     * @throws IllegalArgumentException when the URL is malformed or {@code timeout} is not positive
     */
    public static RedisSharedState connect(String redisUrl, String prefix, Duration timeout) {
        return open(redisUrl, prefix, timeout, null);
    }

    /**
     * Connects to the Redis at {@code redisUrl} ({@code redis://[user:password@]host:port[/db]}, or {@code rediss://}
     * for TLS) and keeps every key and channel under {@code prefix}; calls wait at most {@link #DEFAULT_TIMEOUT}.
     * Closing the state closes the connections.
     *
     * @param listenerExecutor runs the delivery of each published message; it should not run them on the calling
     *                         thread, which is Lettuce's I/O thread (a listener that calls Redis from there would
     *                         wait on itself)
     * @throws IllegalArgumentException when the URL is malformed
     * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached
     */
    public static RedisSharedState connect(String redisUrl, String prefix, Executor listenerExecutor) {
        return open(redisUrl, prefix, DEFAULT_TIMEOUT, Objects.requireNonNull(listenerExecutor, "listenerExecutor"));
    }

    /**
     * Uses a {@link RedisClient} that the caller owns and shares (its connection resources, e.g. with the cache
     * module); closing the state closes its connections, not the client. The client's options and URI timeout govern
     * outages: give it {@link #clientOptions(Duration)} (and a reconnect delay capped low in its resources) for the
     * behaviour the class comment describes.
     *
     * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached
     */
    public static RedisSharedState connect(RedisClient client, String prefix, Executor listenerExecutor) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(listenerExecutor, "listenerExecutor");
        return new RedisSharedState(client, false, null, Objects.requireNonNull(prefix, "prefix"), listenerExecutor);
    }

    /**
     * Lettuce's options for a shared state that fails fast: commands are rejected at once while disconnected (never
     * buffered, so never replayed after a reconnect; commands in flight when the connection drops fail too), expire
     * after {@code timeout} wherever they wait, and a connection attempt gives up after {@code timeout}; TCP
     * keep-alive probes an idle connection after 5 s.
     */
    public static ClientOptions clientOptions(Duration timeout) {
        return ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE_SIZE)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(timeout)
                        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable().idle(Duration.ofSeconds(5))
                                .interval(Duration.ofSeconds(1)).count(3).build())
                        .build())
                .build();
    }

    private static RedisSharedState open(String redisUrl, String prefix, Duration timeout,
                                         Executor listenerExecutor) {
        Objects.requireNonNull(redisUrl, "redisUrl");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(timeout);
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ZERO, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(clientOptions(timeout));
        try {
            RedisSharedState state = new RedisSharedState(client, true, resources, prefix, listenerExecutor);
            LOG.log(System.Logger.Level.INFO, () -> "shared state on Redis at " + uri.getHost() + ":" + uri.getPort()
                    + " under prefix '" + prefix + "', timeout " + timeout.toMillis() + "ms");
            return state;
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
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
    public OptionalLong hashIncrementWithin(String key, String field, long delta, long limit) {
        String name = kv(key);
        Objects.requireNonNull(field, "field");
        List<Object> answer = run(Scripts.INCREMENT_WITHIN, ScriptOutputType.MULTI, new String[] {name}, field,
                Long.toString(delta), Long.toString(limit));
        return (Long) answer.get(0) == 1 ? OptionalLong.of((Long) answer.get(1)) : OptionalLong.empty();
    }

    @Override
    public Optional<String> hashGet(String key, String field) {
        String name = kv(key);
        Objects.requireNonNull(field, "field");
        return Optional.ofNullable(call(() -> redis.hget(name, field)));
    }

    @Override
    public boolean hashRemove(String key, String field) {
        String name = kv(key);
        Objects.requireNonNull(field, "field");
        return call(() -> redis.hdel(name, field)) == 1;
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
            StatefulRedisPubSubConnection<String, String> connection = call(this::pubSub);
            List<Consumer<String>> current = listeners.computeIfAbsent(name, c -> new CopyOnWriteArrayList<>());
            current.add(registered);
            if (current.size() == 1) {
                try {
                    call(() -> {
                        connection.sync().subscribe(name);
                        return null;
                    });
                } catch (RuntimeException e) {
                    current.remove(registered);
                    listeners.remove(name, current);
                    throw e;
                }
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

    /**
     * False while calls fail at once (see the class comment) or the connection is down. When Redis has not been seen
     * answering for a second, this also sends a ping in the background, so a Redis that stopped answering without
     * dropping the connection is reported by a later check, not this one: it never waits.
     */
    @Override
    public boolean reachable() {
        if (closed) {
            return false;
        }
        if (!connection.isOpen()) {
            reachability.lost("not connected to Redis");
            return false;
        }
        if (reachability.down() != null) {
            return false;
        }
        if (System.nanoTime() - confirmedNanos > READINESS_REFRESH.toNanos() && confirming.compareAndSet(false, true)) {
            connection.async().ping().whenComplete((pong, failure) -> {
                confirming.set(false);
                if (failure == null) {
                    confirmedNanos = System.nanoTime();
                } else if (!closed && failure instanceof RedisException e) {
                    reachability.lost(reason(e));
                }
            });
        }
        return true;
    }

    @Override
    public void close() {
        subscriptionLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            reachability.stop();
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
        if (ownedResources != null) {
            // as RedisClient.shutdown() waits for resources it made itself
            ownedResources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
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
            try {
                pubSub.sync().unsubscribe(name);
            } catch (RedisException e) {
                // Lettuce subscribes again after a reconnect; messages then meet no listener
                LOG.log(System.Logger.Level.DEBUG, () -> "unsubscribing from " + name + " failed: " + e);
            }
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

    /**
     * Runs a command, or fails at once while Redis is known to be unreachable. Redis's answer to misuse (wrong type,
     * not an integer) becomes {@link IllegalStateException}; a timeout, a missing connection or Redis saying "not now"
     * becomes {@link StateUnavailable} and marks Redis unreachable.
     */
    private <T> T call(Supplier<T> command) {
        requireOpen();
        String down = reachability.down();
        if (down != null) {
            throw new StateUnavailable(down, null);
        }
        try {
            return command.get();
        } catch (RedisCommandExecutionException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("WRONGTYPE") || message.contains("not an integer")
                    || message.contains("overflow")) {
                throw new IllegalStateException(message, e);
            }
            String code = message.split(" ", 2)[0];
            if (UNAVAILABLE_ERRORS.contains(code)) {
                throw unavailable("Redis answered " + code, e);
            }
            throw e;
        } catch (RedisCommandInterruptedException e) {
            throw e;
        } catch (RedisException e) {
            requireOpen();
            throw unavailable(reason(e), e);
        }
    }

    private StateUnavailable unavailable(String reason, RedisException cause) {
        reachability.lost(reason);
        return new StateUnavailable(reason, cause);
    }

    /** What failed, for the caller and the log: never Lettuce's message, which names the host. */
    private String reason(RedisException e) {
        if (e instanceof RedisCommandTimeoutException) {
            return "Redis did not answer within " + connection.getTimeout().toMillis() + "ms";
        }
        if (e instanceof RedisConnectionException) {
            return "cannot connect to Redis";
        }
        return "not connected to Redis";
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
