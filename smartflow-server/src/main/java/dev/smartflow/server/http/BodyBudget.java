package dev.smartflow.server.http;

import io.javalin.http.HttpResponseException;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the heap that request bodies in flight may take together, so that no load of large bodies can exhaust the
 * heap: every request that carries a body is charged for it before the body is read, and the charge is released when
 * its exchange is done (the answer written, or the stream closed).
 *
 * <p>What a body costs is more than its bytes. Measured with JFR allocation events on {@code /v1/embeddings} with a
 * 19 MB {@code input} string: while Jackson parses the body it holds the bytes (1x), its character buffer for the
 * string (2x: {@code char}s), a {@code StringBuilder} it assembles them in and the {@code String} it returns (1x each
 * for ASCII): {@value #BYTES_PER_BODY_BYTE} bytes of heap per byte of body, the peak of the whole exchange. After the
 * parse the bytes and the string stay (2x), and rewriting {@code model} on the way upstream adds the new bytes and
 * the serialiser's buffer (2x), 4x in all. That is the charge taken up front, from {@code Content-Length}; a chunked
 * body is charged as its bytes arrive.
 *
 * <p>Structure costs more per byte than strings: a tree of many small objects takes 12x to 30x its bytes (measured:
 * 12x for chat messages of a few words, 31x for empty objects), and an adapter that translates the body for another
 * protocol builds a second tree of up to twice the first and copies it once more. So the parse is metered
 * ({@link TreeMeter}): the tree's estimated size beyond its strings is charged {@value #STRUCTURE_COPIES} times, as it
 * grows. A body whose charge the budget cannot cover now is refused with 503 ({@link Busy}, {@code Retry-After}); one
 * whose charge exceeds the whole budget can never be served and is refused with 413.
 *
 * <p>The budget is a fair semaphore of kibibytes. Admission waits up to {@link #ADMISSION_WAIT} for room, in arrival
 * order, so a short burst queues rather than fails. A charge that grows later (a chunked body, a metered tree) already
 * holds part of the budget, and requests that hold and wait can stall each other: when many large trees are admitted
 * at once, none may find room to grow. So only one growing request at a time may wait for room; any other whose growth
 * does not fit at once is refused, and its release is what lets the waiting one finish. Thread-safe.
 */
public final class BodyBudget {
    /** Heap per byte of body, at the parse's peak, for a body that is one large ASCII string; see the class comment. */
    public static final int BYTES_PER_BODY_BYTE = 5;
    /** How many times a body's tree structure is held at the worst: its own, a translation, the translation's copy. */
    public static final int STRUCTURE_COPIES = 5;
    /** How long a request waits for room before it is refused with 503. */
    public static final Duration ADMISSION_WAIT = Duration.ofSeconds(1);
    /** What the client is told to wait before it retries a refused request. */
    static final String RETRY_AFTER_SECONDS = "1";
    /** The smallest charge: a body's tree and buffers cost something even when the body is tiny. */
    private static final long MIN_CHARGE = 16 * 1024;
    private static final int KIB = 1024;

    private final long limitBytes;
    private final Semaphore kibibytes;
    private final Duration admissionWait;
    /** Held by the one growing request that may wait for room. */
    private final ReentrantLock growthWait = new ReentrantLock();
    private final LongAdder busyRefusals = new LongAdder();
    private final LongAdder oversizeRefusals = new LongAdder();

    /**
     * @param limitBytes    what bodies in flight may take together
     * @param admissionWait how long a request waits for room before it is refused
     * @throws IllegalArgumentException if the limit is below 1 MiB or above 2 TiB
     */
    public BodyBudget(long limitBytes, Duration admissionWait) {
        if (limitBytes < 1024 * 1024 || limitBytes / KIB > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the body budget must be between 1 MiB and 2 TiB, not " + limitBytes
                    + " bytes");
        }
        this.limitBytes = limitBytes;
        this.kibibytes = new Semaphore((int) (limitBytes / KIB), true);
        this.admissionWait = admissionWait;
    }

    /**
     * The default budget: half the heap, which leaves the other half to everything else the process holds (about
     * 20 MB at rest), but at least room for one body of {@code maxRequestBytes}, as long as that leaves 30% of the
     * heap: at the launcher's 320 MiB heap, half would refuse the largest bodies the default allows.
     */
    public static long defaultLimit(long maxRequestBytes) {
        long heap = Runtime.getRuntime().maxMemory();
        return Math.min(heap / 10 * 7, Math.max(heap / 2, cost(maxRequestBytes)));
    }

    /** What a body of {@code length} bytes is charged up front. */
    public static long cost(long length) {
        return Math.max(MIN_CHARGE, length * BYTES_PER_BODY_BYTE);
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** The largest body whose up-front charge fits the whole budget. */
    public long largestBody() {
        return limitBytes / BYTES_PER_BODY_BYTE;
    }

    /** Bytes charged to requests in flight right now; for tests and metrics. */
    public long inFlightBytes() {
        return (limitBytes / KIB - kibibytes.availablePermits()) * KIB;
    }

    /** True while a growing request waits for room; for tests. */
    boolean growthWaiting() {
        return growthWait.isLocked();
    }

    /**
     * Exposes the budget in {@code registry}: {@code smartflow_inflight_body_bytes} (charged now),
     * {@code smartflow_inflight_body_limit_bytes} and {@code smartflow_body_budget_refusals_total} by {@code reason}
     * ({@code busy}: 503, {@code too_large}: 413). Refused requests never reach the pipeline, so the audit log does
     * not count them; these series do.
     */
    public void register(PrometheusRegistry registry) {
        GaugeWithCallback.builder().name("smartflow_inflight_body_bytes")
                .help("Heap charged to request bodies in flight (max_inflight_body_bytes bounds it)")
                .callback(gauge -> gauge.call(inFlightBytes())).register(registry);
        GaugeWithCallback.builder().name("smartflow_inflight_body_limit_bytes")
                .help("The heap that request bodies in flight may take together (max_inflight_body_bytes)")
                .callback(gauge -> gauge.call(limitBytes)).register(registry);
        CounterWithCallback.builder().name("smartflow_body_budget_refusals")
                .help("Requests refused for lack of body budget: busy (503) or too_large (413)")
                .labelNames("reason").callback(counter -> {
                    counter.call(busyRefusals.sum(), "busy");
                    counter.call(oversizeRefusals.sum(), "too_large");
                }).register(registry);
    }

    /**
     * Charges a body before it is read: {@link #cost} of its declared length, or of nothing yet when the length is
     * unknown (chunked), to be {@linkplain Charge#growTo grown} as it arrives. Waits up to the admission wait for
     * room.
     *
     * @param declaredLength the request's {@code Content-Length}, or -1
     * @throws HttpResponseException 413 if the body can never fit the budget
     * @throws Busy                  if there is no room now
     */
    public Charge admit(long declaredLength) {
        return admitBytes(cost(Math.max(0, declaredLength)));
    }

    /**
     * Charges {@code bytes} as they are, for a request whose cost is not {@link #cost} of a body (a multipart form).
     *
     * @throws HttpResponseException 413 if {@code bytes} exceed the whole budget
     * @throws Busy                  if there is no room now
     */
    public Charge admitBytes(long bytes) {
        int permits = permits(bytes);
        if (!acquireWithin(permits)) {
            throw busy();
        }
        return new Charge(permits);
    }

    private boolean acquireWithin(int permits) {
        try {
            return kibibytes.tryAcquire(permits, admissionWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Busy busy() {
        busyRefusals.increment();
        return new Busy();
    }

    private int permits(long bytes) {
        long permits = (bytes + KIB - 1) / KIB;
        if (permits > limitBytes / KIB) {
            oversizeRefusals.increment();
            throw new HttpResponseException(413, "the request needs more memory than the gateway allows for request "
                    + "bodies in flight (max_inflight_body_bytes = " + limitBytes + "): a body may be at most "
                    + largestBody() + " bytes, and less if it is mostly small JSON values");
        }
        return (int) permits;
    }

    /**
     * One request's share of the budget. Not thread-safe: the request's own thread grows and closes it. Closing
     * releases it all; closing twice does nothing.
     */
    public final class Charge implements AutoCloseable {
        private int held;

        private Charge(int held) {
            this.held = held;
        }

        /** Bytes charged now. */
        public long bytes() {
            return (long) held * KIB;
        }

        /**
         * Raises the charge to at least {@code bytes}: at once, or after a wait for room if no other growing request
         * is waiting, or not at all.
         *
         * @throws HttpResponseException 413 if {@code bytes} exceed the whole budget
         * @throws Busy                  if the budget has no room for the difference
         */
        public void growTo(long bytes) {
            int wanted = permits(bytes);
            if (wanted <= held) {
                return;
            }
            int more = wanted - held;
            if (!kibibytes.tryAcquire(more)) {
                if (!growthWait.tryLock()) {
                    throw busy();
                }
                try {
                    if (!acquireWithin(more)) {
                        throw busy();
                    }
                } finally {
                    growthWait.unlock();
                }
            }
            held = wanted;
        }

        /** Lowers the charge to {@code bytes} when the request turned out to need less. */
        public void shrinkTo(long bytes) {
            int wanted = (int) Math.min(held, (bytes + KIB - 1) / KIB);
            kibibytes.release(held - wanted);
            held = wanted;
        }

        @Override
        public void close() {
            kibibytes.release(held);
            held = 0;
        }
    }

    /**
     * The budget has no room for the request now: 503 with {@code Retry-After}, in the caller's error shape, code
     * {@code server_busy}. Nothing was sent upstream.
     */
    public static final class Busy extends RuntimeException {
        Busy() {
            super("the gateway is busy with other large requests; retry shortly", null, false, false);
        }
    }
}
