package dev.smartflow.mcp;

import dev.smartflow.core.spi.McpStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes the record of every MCP call to the database behind the request: calls wait in a bounded queue that one
 * thread drains in batches, gathered for a tenth of a second ({@link McpStore#log}, which skips ids it has, so a
 * retried batch is safe). A batch the
 * database refuses is tried again after a pause; when the queue is full the oldest waiting records give way, with a
 * warning. {@link #close()} writes what is still waiting.
 *
 * <p>Thread-safe.
 */
final class CallLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CallLog.class.getName());
    private static final int CAPACITY = 100_000;
    private static final int BATCH = 500;
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration GATHER = Duration.ofMillis(100);

    private final McpStore store;
    private final LinkedBlockingQueue<McpStore.Call> queue = new LinkedBlockingQueue<>(CAPACITY);
    private final AtomicInteger unwritten = new AtomicInteger();
    private final Thread writer;
    private volatile boolean closing;

    CallLog(McpStore store) {
        this.store = Objects.requireNonNull(store, "store");
        this.writer = Thread.ofVirtual().name("mcp-call-log").start(this::drain);
    }

    void add(McpStore.Call call) {
        unwritten.incrementAndGet();
        while (!queue.offer(call)) {
            if (queue.poll() != null) {
                unwritten.decrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "the MCP call log is " + CAPACITY + " records behind the "
                        + "database; the oldest waiting record is dropped");
            }
        }
    }

    private void drain() {
        List<McpStore.Call> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                McpStore.Call first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (!closing && queue.size() < BATCH - 1) {
                    // a moment for more to arrive: one transaction for many calls, not one per call
                    Thread.sleep(GATHER.toMillis());
                }
                queue.drainTo(batch, BATCH - 1);
                write(batch);
                unwritten.addAndGet(-batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                if (!closing) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void write(List<McpStore.Call> batch) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                store.log(batch);
                return;
            } catch (RuntimeException e) {
                if (closing && attempt >= 2) {
                    LOG.log(System.Logger.Level.ERROR, "the MCP call log could not write " + batch.size()
                            + " records before shutdown", e);
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "writing the MCP call log failed; trying again", e);
                Thread.sleep(RETRY.toMillis());
            }
        }
    }

    /** Waits (up to five seconds) until every call added so far is written: the usage API reads its own writes. */
    void flush() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (unwritten.get() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            writer.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
