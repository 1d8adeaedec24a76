package dev.smartflow.providers;

import dev.smartflow.core.Ticker;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.Exchange;
import java.time.Duration;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.OkHttpClient;

/**
 * The HTTP plumbing every provider adapter shares: one {@link OkHttpClient} (one connection pool for all vendors) and
 * one deadline watchdog. A {@link ProviderRegistry} creates and closes it; adapters written in other modules receive
 * it rather than building clients of their own.
 *
 * <p>The client has no read, write or call timeout, because OkHttp implements those with a watchdog thread that is
 * woken several times per request; use {@link #deadline(Call, Duration)} instead, which cancels the call from a
 * coarse-ticking thread of our own. The connect timeout is kept: it is a blocking socket connect and costs no thread.
 * Redirects are not followed (an API answering 3xx is misconfigured, and following it could carry the key elsewhere).
 * A connection that fails is not retried here either: routing decides whether a call is tried again and where (another
 * target of its chain, after a backoff), and a silent retry underneath would send a non-idempotent, billed call twice
 * and hide the failure from circuit breakers.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * try (HttpTransport transport = HttpTransport.create()) {
 *     Call call = transport.client().newCall(request);
 *     try (Deadline deadline = transport.deadline(call, Duration.ofSeconds(30));
 *          okhttp3.Response response = call.execute()) { ... }
 * }
 * }</pre>
 */
public final class HttpTransport implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration TICK = Duration.ofMillis(100);
    /**
     * OkHttp's default keeps 5 idle connections; a gateway fans hundreds of concurrent calls out to a few hosts, and
     * evicting all but 5 after each burst would mean new TLS handshakes for the next one.
     */
    private static final int MAX_IDLE_CONNECTIONS = 256;
    private static final long KEEP_ALIVE_MINUTES = 5;

    private final OkHttpClient client;
    private final Deadlines deadlines;

    HttpTransport(Ticker ticker, Duration tick) {
        this.deadlines = new Deadlines(ticker, tick);
        this.client = new OkHttpClient.Builder()
                .connectTimeout(CONNECT_TIMEOUT)
                .readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                .callTimeout(Duration.ZERO)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectionPool(CoarsePoolTasks.pool(MAX_IDLE_CONNECTIONS, Duration.ofMinutes(KEEP_ALIVE_MINUTES)))
                .build();
    }

    /** A transport with the production settings; starts the watchdog thread. */
    public static HttpTransport create() {
        return new HttpTransport(Ticker.system(), TICK);
    }

    /** The shared client. Do not change its timeouts through {@code newBuilder()}: that brings the wakeups back. */
    public OkHttpClient client() {
        return client;
    }

    /**
     * Watches {@code call}: if the returned deadline is still open {@code timeout} from now (or from its last
     * {@link Deadline#expireAfter move}), the call is cancelled. Register before {@code execute()}, so that connecting
     * and waiting for the headers count too.
     */
    public Deadline deadline(Call call, Duration timeout) {
        Objects.requireNonNull(call, "call");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return deadlines.register(call, timeout);
    }

    /**
     * A deadline as {@link #deadline(Call, Duration)} makes, for a call that serves {@code exchange}: when the
     * exchange carries a {@link Cancellation}, the call is also cancelled as soon as the exchange's caller goes away,
     * rather than running on to its answer or its timeout for nobody, and the deadline reports it as
     * {@linkplain Deadline#abandoned() abandoned}. Every call an adapter makes for an exchange takes its deadline here.
     */
    public Deadline deadline(Call call, Duration timeout, Exchange exchange) {
        Deadline deadline = deadline(call, timeout);
        exchange.get(Cancellation.KEY).ifPresent(deadline::watch);
        return deadline;
    }

    /** Number of calls being watched; for tests and metrics. */
    int watched() {
        return deadlines.size();
    }

    /** Cancels calls still running, closes idle connections and stops the watchdog. */
    @Override
    public void close() {
        client.dispatcher().cancelAll();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        deadlines.close();
    }
}
