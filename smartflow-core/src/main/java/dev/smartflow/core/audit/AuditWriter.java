package dev.smartflow.core.audit;

import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes audit records to an {@link AuditLog} in batches, behind the requests: the {@link AuditListener} the server
 * registers so that every call ends up in the durable log without any call waiting on the database.
 *
 * <pre>{@code
 * AuditWriter audit = AuditWriter.builder(database.audit())
 *         .spoolDirectory(dataDir.resolve("audit-spool"))   // overflow and shutdown leftovers go here
 *         .build();                                         // starts writing; replays what a previous run spilled
 * Smartflow smartflow = Smartflow.builder().resolver(registry).addAuditListener(audit).build();
 * ...
 * smartflow.close();
 * audit.close();                                            // drains (10 s at most), spills the rest to disk
 * }</pre>
 *
 * <ul>
 *   <li><b>Hot path.</b> {@link #onRecord} only queues the record (a lock-free queue offer and a counter); it never
 *       blocks and never does I/O.</li>
 *   <li><b>Batches.</b> One background thread appends up to {@link Builder#batchSize batchSize} records at a time
 *       (500 by default), or whatever is queued once every {@link Builder#flushInterval flushInterval} (200 ms).</li>
 *   <li><b>Store failures.</b> A batch the store refuses is kept and retried with a doubling backoff (200 ms up to
 *       10 s). One WARNING is logged per outage, one INFO when the store answers again.</li>
 *   <li><b>Memory bound.</b> When more than {@link Builder#maxPending maxPending} records (10,000) wait in memory,
 *       the oldest are spilled to the spool directory as append-only segment files of JSON lines, until half the
 *       bound is left. Spilled records are replayed once the store answers again, and a segment is deleted only
 *       after all its records were appended. Segments that a previous process left (a crash, an outage at shutdown)
 *       are replayed from the start. {@link AuditLog#append} skips request ids it already holds, so a replay after a
 *       crash never duplicates a record.</li>
 *   <li><b>Shutdown.</b> {@link #close()} writes everything queued, waiting at most
 *       {@link Builder#drainTimeout drainTimeout} (10 s); whatever the store has not taken by then is spilled to disk
 *       for the next start. Nothing is lost on a clean shutdown. Records that still arrive after close are spilled
 *       straight away, on the caller's thread. A crash ({@code kill -9}) loses what was only in memory: the records
 *       of the last flush interval, or during an outage up to {@code maxPending}; what was spilled survives it.</li>
 *   <li><b>Without a spool directory</b> records are kept in memory only: when more than {@code maxPending} wait,
 *       the oldest are <em>dropped</em> and an ERROR gives the count (at most every 10 s); at shutdown whatever the
 *       store did not take in time is dropped the same way. Fine for tests and throwaway runs; the server always
 *       configures a spool directory.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #written()}, {@link #pending()}, {@link #spilled()}, {@link #spooled()} and
 * {@link #dropped()} are cheap counters for tests and metrics. One writer per spool directory: a second one (in this
 * process or another) fails to build.
 */
public final class AuditWriter implements AuditListener, AutoCloseable {
    /*
     * Design.
     *
     * Producers offer to a ConcurrentLinkedQueue and bump `queued`; that is the whole hot path. Everything else belongs
     * to one writer thread, which owns the batch in flight and the spool's read cursor, so no lock is needed between
     * them. The store call itself runs on a platform thread of its own while the writer waits for it: a store that
     * hangs (a dead connection waiting for its timeout) then still cannot break the memory bound, because the writer
     * wakes to spill, nor the drain deadline, because the writer gives up on the call at the deadline and spills the
     * batch (if the call later succeeds too, the replay skips the duplicates).
     *
     * Counting: every record is in exactly one of queued, inFlight (the batch, or records between the queue and the
     * spool) and the spool's count, or it has been written or dropped. A move increments its destination before it
     * decrements its source, so pending() may over-count for an instant but never under-counts: a test that waits for
     * pending() == 0 has really seen everything through.
     *
     * Close: `closing` and the deadline make the writer drain and exit; close() then sets `stopped` and sweeps the queue
     * once more. onRecord offers before it reads `stopped`, so a record that races with close is swept by one of the
     * two sweeps, never by neither.
     */
    private static final System.Logger LOG = System.getLogger(AuditWriter.class.getName());

    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(200);
    public static final int DEFAULT_MAX_PENDING = 10_000;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_FIRST_RETRY = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_RETRY = Duration.ofSeconds(10);
    /** How long close waits beyond the drain timeout for the writer to spill what is left. */
    private static final Duration SPILL_GRACE = Duration.ofSeconds(10);
    private static final long LOSS_REPORT_NANOS = Duration.ofSeconds(10).toNanos();

    private enum Outcome { WRITTEN, FAILED, ABANDONED }

    private final AuditLog log;
    private final int batchSize;
    private final long flushNanos;
    private final int maxPending;
    private final long drainNanos;
    private final long firstRetryNanos;
    private final long maxRetryNanos;
    /** Null when records are kept in memory only. */
    private final AuditSpool spool;

    private final ConcurrentLinkedQueue<AuditRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong spilled = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    /** Serialises the sweeps after stop (close's and late records'); they write to disk, hence a lock. */
    private final ReentrantLock sweeping = new ReentrantLock();
    private final Thread writer;
    private volatile boolean closing;
    private volatile long drainDeadline;
    private volatile boolean stopped;

    // The writer thread's own state.
    private long backoffNanos;
    private long retryAt;
    private long failedAttempts;
    private long outageStart;
    private boolean spillReported;
    private boolean spoolReadFailing;
    // Loss reports, from the writer or a sweep.
    private final ReentrantLock reporting = new ReentrantLock();
    private long unreportedLoss;
    private long lastLossReport;
    private String lossReason = "";

    private AuditWriter(Builder builder) {
        this.log = builder.log;
        this.batchSize = builder.batchSize;
        this.flushNanos = builder.flushInterval.toNanos();
        this.maxPending = builder.maxPending;
        this.drainNanos = builder.drainTimeout.toNanos();
        this.firstRetryNanos = builder.firstRetry.toNanos();
        this.maxRetryNanos = builder.maxRetry.toNanos();
        this.spool = builder.spoolDirectory == null ? null : new AuditSpool(builder.spoolDirectory);
        this.lastLossReport = System.nanoTime() - LOSS_REPORT_NANOS;
        this.writer = Thread.ofPlatform().name("smartflow-audit-writer").daemon().unstarted(this::run);
        writer.start();
    }

    public static Builder builder(AuditLog log) {
        return new Builder(log);
    }

    /** Queues the record for the next batch; never blocks (after {@link #close()}: spills it to disk at once). */
    @Override
    public void onRecord(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        long waiting = queued.incrementAndGet();
        queue.offer(record);
        if (stopped) {
            sweep("arrived after the audit writer was closed");
        } else if (waiting == batchSize || waiting > maxPending) {
            LockSupport.unpark(writer);
        }
    }

    /** Records the store has taken (a record replayed after a crash may be counted again). */
    public long written() {
        return written.get();
    }

    /** Records not yet in the store: queued, being written, or spilled to disk and not yet replayed. */
    public long pending() {
        return queued.get() + inFlight.get() + spooled();
    }

    /** Records waiting on disk (a part of {@link #pending()}), those left by a previous process included. */
    public long spooled() {
        return spool == null ? 0 : spool.spooled();
    }

    /** Records ever spilled to disk by this writer. */
    public long spilled() {
        return spilled.get();
    }

    /**
     * Records lost: dropped beyond the memory bound or at shutdown when there is no spool directory (or it cannot be
     * written), and spooled lines that could not be read back.
     */
    public long dropped() {
        return dropped.get() + (spool == null ? 0 : spool.unreadable());
    }

    /**
     * Drains: writes everything queued, waiting at most the drain timeout, spills what is left to the spool
     * directory (or drops it, with an ERROR, without one), and stops the writer thread. Idempotent.
     */
    @Override
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) {
            return;
        }
        drainDeadline = System.nanoTime() + drainNanos;
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(Duration.ofNanos(drainNanos).plus(SPILL_GRACE));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.log(System.Logger.Level.ERROR, "the audit writer did not stop within " + Duration.ofNanos(drainNanos)
                    .plus(SPILL_GRACE) + "; records it still holds may be lost");
        }
        stopped = true;
        sweep("were still queued when the audit writer stopped");
        if (spool != null) {
            spool.close();
        }
        LOG.log(System.Logger.Level.INFO, "audit writer closed: " + written() + " record(s) written, " + spilled()
                + " spilled to disk, " + spooled() + " waiting on disk, " + dropped() + " lost");
    }

    private void run() {
        if (spool != null) {
            if (spool.spooled() > 0) {
                LOG.log(System.Logger.Level.INFO, spool.spooled() + " audit record(s) spilled by a previous run wait in "
                        + spool.directory() + "; replaying them");
            }
        }
        List<AuditRecord> batch = new ArrayList<>(batchSize);
        long lastFlush = System.nanoTime();
        while (true) {
            try {
                relieve();
                long now = System.nanoTime();
                boolean draining = closing;
                if (draining && now - drainDeadline >= 0) {
                    break;
                }
                if (backoffNanos > 0 && now - retryAt < 0) {
                    park(draining ? Math.min(retryAt, drainDeadline) - now : retryAt - now);
                    continue;
                }
                AuditRecord record;
                while (batch.size() < batchSize && (record = queue.poll()) != null) {
                    batch.add(record);
                    inFlight.incrementAndGet();
                    queued.decrementAndGet();
                }
                if (!batch.isEmpty() && (batch.size() >= batchSize || draining || now - lastFlush >= flushNanos)) {
                    lastFlush = now;
                    Outcome outcome = append(batch);
                    if (outcome == Outcome.WRITTEN) {
                        written.addAndGet(batch.size());
                        inFlight.addAndGet(-batch.size());
                        batch.clear();
                    } else if (outcome == Outcome.ABANDONED) {
                        break;
                    }
                    continue;
                }
                if (draining) {
                    break; // the batch is empty and so is the queue: drained
                }
                if (spool != null && replay()) {
                    continue;
                }
                park(batch.isEmpty() ? flushNanos : lastFlush + flushNanos - now);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "the audit writer failed; it carries on", e);
                park(flushNanos);
            }
        }
        // the drain deadline passed, or everything was written: what is left goes to disk
        AuditRecord record;
        while ((record = queue.poll()) != null) {
            batch.add(record);
            inFlight.incrementAndGet();
            queued.decrementAndGet();
        }
        if (!batch.isEmpty()) {
            persist(batch, "could not be written within the drain timeout of " + Duration.ofNanos(drainNanos));
        }
    }

    /**
     * Appends one batch on a thread of its own and waits for it, keeping the memory bound meanwhile. Gives up (the
     * records stay with the caller) when the drain deadline passes first.
     *
     * <p>A platform thread, not a virtual one: a virtual thread shares the requests' carrier threads, and an
     * embedded database's insert of a few hundred rows holds its carrier for milliseconds without parking, so the
     * requests queued behind it on that carrier wait until it is done; the operating system, by contrast, shares a
     * core between threads in slices.
     */
    private Outcome append(List<AuditRecord> records) {
        List<AuditRecord> snapshot = List.copyOf(records);
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread waiting = Thread.currentThread();
        Thread.ofPlatform().name("smartflow-audit-append").daemon().start(() -> {
            try {
                result.complete(log.append(snapshot));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                LockSupport.unpark(waiting);
            }
        });
        while (!result.isDone()) {
            long now = System.nanoTime();
            if (closing && now - drainDeadline >= 0) {
                return Outcome.ABANDONED;
            }
            park(closing ? Math.min(flushNanos, drainDeadline - now) : flushNanos);
            relieve();
        }
        try {
            result.join();
        } catch (CompletionException e) {
            failed(e.getCause() == null ? e : e.getCause());
            return Outcome.FAILED;
        }
        answered();
        return Outcome.WRITTEN;
    }

    /** Appends the next records of the spool; whether any were appended. */
    private boolean replay() {
        List<AuditRecord> records;
        try {
            records = spool.next(batchSize);
            spoolReadFailing = false;
        } catch (IOException e) {
            if (!spoolReadFailing) {
                spoolReadFailing = true;
                LOG.log(System.Logger.Level.ERROR, "cannot read the audit spool in " + spool.directory()
                        + "; its records stay on disk and are retried", e);
            }
            return false;
        }
        if (records.isEmpty()) {
            if (spillReported) {
                spillReported = false;
                LOG.log(System.Logger.Level.INFO, "every spilled audit record has been replayed");
            }
            return false;
        }
        if (append(records) != Outcome.WRITTEN) {
            return false;
        }
        spool.acknowledge();
        written.addAndGet(records.size());
        return true;
    }

    /** Keeps at most {@code maxPending} records in memory: spills the oldest to disk, or drops them without a spool. */
    private void relieve() {
        long held = queued.get() + inFlight.get();
        if (held <= maxPending) {
            return;
        }
        if (spool != null) {
            List<AuditRecord> oldest = new ArrayList<>();
            AuditRecord record;
            for (long excess = held - maxPending / 2; excess > 0 && (record = queue.poll()) != null; excess--) {
                oldest.add(record);
                inFlight.incrementAndGet();
                queued.decrementAndGet();
            }
            try {
                spool.write(oldest);
                spilled.addAndGet(oldest.size());
                inFlight.addAndGet(-oldest.size());
                if (!spillReported) {
                    spillReported = true;
                    LOG.log(System.Logger.Level.WARNING, "more than " + maxPending + " audit records wait for the "
                            + "store; spilling the oldest to " + spool.directory() + " (replayed when it answers)");
                }
                return;
            } catch (IOException | RuntimeException e) {
                // the disk failed too: back to the queue, then keep the bound as a writer without a spool would
                for (AuditRecord kept : oldest) {
                    queued.incrementAndGet();
                    queue.offer(kept);
                }
                inFlight.addAndGet(-oldest.size());
                LOG.log(System.Logger.Level.ERROR, "cannot spill audit records to " + spool.directory(), e);
            }
        }
        long lost = 0;
        for (long over = queued.get() + inFlight.get() - maxPending; over > 0 && queue.poll() != null; over--) {
            queued.decrementAndGet();
            lost++;
        }
        lost(lost, "more than " + maxPending + " records waited for the store");
    }

    /** Spills {@code records} (counted in inFlight) to disk; without a spool (or when the disk fails) they are lost. */
    private void persist(List<AuditRecord> records, String why) {
        if (spool != null) {
            try {
                spool.write(records);
                spilled.addAndGet(records.size());
                inFlight.addAndGet(-records.size());
                LOG.log(System.Logger.Level.WARNING, records.size() + " audit record(s) " + why + "; spilled to "
                        + spool.directory() + ", to be written at the next start");
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "cannot spill audit records to " + spool.directory(), e);
            }
        }
        inFlight.addAndGet(-records.size());
        lost(records.size(), records.size() + " " + why);
        reportLoss(true);
    }

    /** Moves whatever is queued to disk: after the writer stopped, on the caller's thread. */
    private void sweep(String why) {
        sweeping.lock();
        try {
            List<AuditRecord> left = new ArrayList<>();
            AuditRecord record;
            while ((record = queue.poll()) != null) {
                left.add(record);
                inFlight.incrementAndGet();
                queued.decrementAndGet();
            }
            if (!left.isEmpty()) {
                persist(left, why);
            }
        } finally {
            sweeping.unlock();
        }
    }

    private void lost(long count, String why) {
        if (count <= 0) {
            return;
        }
        dropped.addAndGet(count);
        reporting.lock();
        try {
            unreportedLoss += count;
            lossReason = why;
        } finally {
            reporting.unlock();
        }
        reportLoss(false);
    }

    /** An ERROR with the count of records lost since the last one; at most every 10 s unless {@code now}. */
    private void reportLoss(boolean now) {
        reporting.lock();
        try {
            long at = System.nanoTime();
            if (unreportedLoss == 0 || (!now && at - lastLossReport < LOSS_REPORT_NANOS)) {
                return;
            }
            LOG.log(System.Logger.Level.ERROR, unreportedLoss + " audit record(s) dropped (" + lossReason + "; "
                    + (spool == null ? "no spool directory is configured" : "the spool directory cannot be written")
                    + "); " + dropped.get() + " in total");
            unreportedLoss = 0;
            lastLossReport = at;
        } finally {
            reporting.unlock();
        }
    }

    private void failed(Throwable cause) {
        long now = System.nanoTime();
        backoffNanos = backoffNanos == 0 ? firstRetryNanos : Math.min(maxRetryNanos, backoffNanos * 2);
        retryAt = now + backoffNanos;
        if (failedAttempts++ == 0) {
            outageStart = now;
            LOG.log(System.Logger.Level.WARNING, "the audit log store failed; keeping " + pending() + " record(s) and "
                    + "retrying every " + Duration.ofNanos(firstRetryNanos) + " to " + Duration.ofNanos(maxRetryNanos)
                    + (spool == null ? "" : "; beyond " + maxPending + " waiting records, the oldest are spilled to "
                    + spool.directory()), cause);
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> "the audit log store failed again (attempt " + failedAttempts
                    + "): " + cause);
        }
    }

    private void answered() {
        if (failedAttempts > 0) {
            LOG.log(System.Logger.Level.INFO, "the audit log store answers again after " + failedAttempts
                    + " failed attempt(s) over " + Duration.ofNanos(System.nanoTime() - outageStart).toMillis()
                    + " ms; " + pending() + " record(s) still to write");
            failedAttempts = 0;
        }
        backoffNanos = 0;
        reportLoss(false);
    }

    private void park(long nanos) {
        if (nanos > 0) {
            LockSupport.parkNanos(this, nanos);
        }
    }

    /**
     * Configures an {@link AuditWriter}; {@link #build()} starts it. Defaults: batches of 500, a flush every 200 ms,
     * 10,000 records in memory at most, a 10 s drain, retries from 200 ms doubling to 10 s, no spool directory.
     */
    public static final class Builder {
        private final AuditLog log;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private int maxPending = DEFAULT_MAX_PENDING;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration firstRetry = DEFAULT_FIRST_RETRY;
        private Duration maxRetry = DEFAULT_MAX_RETRY;
        private Path spoolDirectory;

        private Builder(AuditLog log) {
            this.log = Objects.requireNonNull(log, "log");
        }

        /**
         * The most records one append carries.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder batchSize(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("batchSize must be positive: " + records);
            }
            this.batchSize = records;
            return this;
        }

        /**
         * How long a record waits, at most, for its batch to fill before it is written anyway.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder flushInterval(Duration interval) {
            this.flushInterval = positive(interval, "flushInterval");
            return this;
        }

        /**
         * How many records may wait in memory; beyond that the oldest are spilled to the spool directory (or dropped
         * without one). At least {@link #batchSize}.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxPending(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("maxPending must be positive: " + records);
            }
            this.maxPending = records;
            return this;
        }

        /**
         * Where records that cannot wait in memory go, and where they wait across restarts: created if absent, and
         * used by this writer alone.
         */
        public Builder spoolDirectory(Path directory) {
            this.spoolDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * How long {@link AuditWriter#close()} keeps writing before it spills what is left; zero spills at once.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder drainTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "drainTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must not be negative: " + timeout);
            }
            this.drainTimeout = timeout;
            return this;
        }

        /**
         * The wait before the first retry of a failed append, doubled at each failure up to {@code max}.
         *
         * @throws IllegalArgumentException if {@code first} is not positive or {@code max} is less than it
         */
        public Builder retryBackoff(Duration first, Duration max) {
            positive(first, "first retry");
            if (Objects.requireNonNull(max, "max retry").compareTo(first) < 0) {
                throw new IllegalArgumentException("the longest retry wait " + max + " is shorter than the first "
                        + first);
            }
            this.firstRetry = first;
            this.maxRetry = max;
            return this;
        }

        /**
         * Starts the writer thread; it first replays what a previous writer left in the spool directory.
         *
         * @throws IllegalArgumentException     if {@code maxPending} is less than {@code batchSize}
         * @throws java.io.UncheckedIOException if the spool directory cannot be created or read
         * @throws IllegalStateException        if another writer uses the spool directory
         */
        public AuditWriter build() {
            if (maxPending < batchSize) {
                throw new IllegalArgumentException("maxPending (" + maxPending + ") must be at least batchSize ("
                        + batchSize + ")");
            }
            return new AuditWriter(this);
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
