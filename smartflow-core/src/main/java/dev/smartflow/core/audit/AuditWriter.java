package dev.smartflow.core.audit;

import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.RejectedRecordException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
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
 *         .spoolDirectory(dataDir.resolve("audit-spool"))   // journal, overflow, quarantine and leftovers go here
 *         .build();                                         // starts writing; replays what a previous run left
 * Smartflow smartflow = Smartflow.builder().resolver(registry).addAuditListener(audit).build();
 * ...
 * smartflow.close();
 * audit.close();                                            // drains (10 s at most), spills the rest to disk
 * }</pre>
 *
 * <ul>
 *   <li><b>Hot path.</b> {@link #onRecord} journals the record (with a spool directory: one {@code write} of its
 *       JSON line into the page cache, under a lock held only for that write, see {@link AuditJournal}) and queues it
 *       (a lock-free queue offer and a counter). It never waits on the store. The audit stage calls it before a
 *       complete answer is handed to the server to write, and before a stream's end is written (OpenAI's
 *       {@code [DONE]}), so a record is in the journal before its client has the whole answer.</li>
 *   <li><b>Batches.</b> One background thread appends up to {@link Builder#batchSize batchSize} records at a time
 *       (500 by default), or whatever is queued once every {@link Builder#flushInterval flushInterval} (200 ms).</li>
 *   <li><b>Store failures.</b> A batch the store cannot take (an outage: connection refused, a timeout, a missing
 *       table) is kept and retried with a doubling backoff (200 ms up to 10 s). One WARNING is logged per outage,
 *       one INFO when the store answers again.</li>
 *   <li><b>Refused records.</b> A batch the store refuses for what a record holds ({@link RejectedRecordException}:
 *       a data error, which retrying would only repeat) is split in halves, and the halves again, until the refused
 *       records stand alone: every other record is written, and each refused one is <em>quarantined</em>: kept in
 *       {@code quarantine.jsonl} in the spool directory (dropped without one), counted by {@link #quarantined()},
 *       and logged once at WARNING with its request id. One bad record never holds up the others, and a replayed
 *       segment is isolated alike, so a spilled batch with a bad record drains too.</li>
 *   <li><b>Crash safety.</b> With a spool directory every record is journaled as it arrives, so a killed process
 *       ({@code kill -9}) loses no record it acknowledged: the next start replays the journal it left. A journal
 *       segment (4 MiB) is deleted once each record in it is written, spilled or quarantined; in normal operation a
 *       record goes to the store once (a replay after a crash may send some again: the store skips them). The journal
 *       is not forced to disk per record, so a power loss can still lose the last seconds.</li>
 *   <li><b>Memory bound.</b> When more than {@link Builder#maxPending maxPending} records (10,000) wait in memory,
 *       the oldest are spilled to the spool directory as segment files of JSON lines (forced to disk), until half the
 *       bound is left. Spilled records are replayed once the store answers again, and a segment is deleted only
 *       after all its records were appended. Segments that a previous process left (a crash, an outage at shutdown)
 *       are replayed from the start. {@link AuditLog#append} skips request ids it already holds, so a replay after a
 *       crash never duplicates a record.</li>
 *   <li><b>Shutdown.</b> {@link #close()} writes everything queued, waiting at most
 *       {@link Builder#drainTimeout drainTimeout} (10 s); whatever the store has not taken by then is spilled to disk
 *       for the next start. Nothing is lost on a clean shutdown, and the journal is deleted. Records that still
 *       arrive after close are spilled straight away, on the caller's thread.</li>
 *   <li><b>Without a spool directory</b> records are kept in memory only: no journal (a crash loses what was not
 *       yet written), and when more than {@code maxPending} wait, the oldest are <em>dropped</em> and an ERROR gives
 *       the count (at most every 10 s); at shutdown whatever the store did not take in time is dropped the same way.
 *       Fine for tests and throwaway runs; the server always configures a spool directory.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #written()}, {@link #pending()}, {@link #spilled()}, {@link #spooled()},
 * {@link #quarantined()} and {@link #dropped()} are cheap counters for tests and metrics. One writer per spool
 * directory: a second one (in this process or another) fails to build.
 */
public final class AuditWriter implements AuditListener, AutoCloseable {
    /*
     * Design.
     *
     * Producers journal the record, offer it to a ConcurrentLinkedQueue and bump `queued`; that is the whole hot path.
     * Each queued record carries the journal segment it is in, which it settles once it is durable elsewhere (the
     * store, a spilled segment, the quarantine); the journal deletes a segment whose records are all settled. So the
     * journal is the crash copy, and the queue, the spill and the replay work as they do without it: memory stays
     * bounded, an outage spills, a clean shutdown leaves only unwritten records on disk. A record that is dropped
     * (the spill failed) is not settled: its segment stays for the next start.
     *
     * Everything else belongs to one writer thread, which owns the batch in flight and the spool's read cursor, so no
     * lock is needed between them. The store call itself runs on a platform thread of its own while the writer waits
     * for it: a store that hangs (a dead connection waiting for its timeout) then still cannot break the memory bound,
     * because the writer wakes to spill, nor the drain deadline, because the writer gives up on the call at the
     * deadline and spills the batch (if the call later succeeds too, the replay skips the duplicates).
     *
     * Isolation: a refused batch is cut in halves on a stack of ranges, depth first, so records are written in their
     * order; an outage in the middle leaves the ranges not yet written as the batch to retry.
     *
     * Counting: every record is in exactly one of queued, inFlight (the batch, or records between the queue and the
     * spool) and the spool's count, or it has been written, quarantined or dropped. A move increments its destination
     * before it decrements its source, so pending() may over-count for an instant but never under-counts: a test that
     * waits for pending() == 0 has really seen everything through.
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

    private enum Outcome { WRITTEN, REJECTED, FAILED, ABANDONED }

    /** A record waiting for the store, and the journal segment that holds it (null when none does). */
    private record Pending(AuditRecord record, AuditJournal.Segment journaled) {
        void settle() {
            if (journaled != null) {
                journaled.settle();
            }
        }
    }

    private final AuditLog log;
    private final int batchSize;
    private final long flushNanos;
    private final int maxPending;
    private final long drainNanos;
    private final long firstRetryNanos;
    private final long maxRetryNanos;
    /** Null when records are kept in memory only. */
    private final AuditSpool spool;
    /** Null without a spool directory, or when journaling is off. */
    private final AuditJournal journal;

    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong spilled = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong quarantined = new AtomicLong();
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
    /** What is left to write of the spool's current records; null when none are being replayed. */
    private List<Pending> replaying;
    /** Why the store refused the last refused append. */
    private RejectedRecordException rejection;
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
        this.journal = spool == null || !builder.journal ? null
                : new AuditJournal(spool.directory(), spool.nextJournalSequence(), builder.journalSegmentBytes);
        this.lastLossReport = System.nanoTime() - LOSS_REPORT_NANOS;
        this.writer = Thread.ofPlatform().name("smartflow-audit-writer").daemon().unstarted(this::run);
        writer.start();
    }

    public static Builder builder(AuditLog log) {
        return new Builder(log);
    }

    /**
     * Journals the record (with a spool directory) and queues it for the next batch; never waits on the store (after
     * {@link #close()}: spills it to disk at once).
     */
    @Override
    public void onRecord(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        AuditJournal.Segment journaled = journal == null ? null : journal.append(record);
        long waiting = queued.incrementAndGet();
        queue.offer(new Pending(record, journaled));
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
     * Records the store refused for what they hold, set aside in the spool directory's {@code quarantine.jsonl}
     * (dropped without a spool directory) so that the others are written.
     */
    public long quarantined() {
        return quarantined.get();
    }

    /**
     * Records lost: dropped beyond the memory bound or at shutdown when there is no spool directory (or it cannot be
     * written and the journal does not hold them), refused records that could not be quarantined, and spooled or
     * journaled lines that could not be read back.
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
        if (journal != null) {
            journal.close();
        }
        if (spool != null) {
            spool.close();
        }
        LOG.log(System.Logger.Level.INFO, "audit writer closed: " + written() + " record(s) written, " + spilled()
                + " spilled to disk, " + spooled() + " waiting on disk, " + quarantined() + " quarantined, "
                + dropped() + " lost");
    }

    private void run() {
        if (spool != null) {
            if (spool.spooled() > 0) {
                LOG.log(System.Logger.Level.INFO, spool.spooled() + " audit record(s) a previous run spilled or "
                        + "journaled wait in " + spool.directory() + "; replaying them (the store skips those it has)");
            }
        }
        List<Pending> batch = new ArrayList<>(batchSize);
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
                Pending next;
                while (batch.size() < batchSize && (next = queue.poll()) != null) {
                    batch.add(next);
                    inFlight.incrementAndGet();
                    queued.decrementAndGet();
                }
                if (!batch.isEmpty() && (batch.size() >= batchSize || draining || now - lastFlush >= flushNanos)) {
                    lastFlush = now;
                    if (deliver(batch, true) == Outcome.ABANDONED) {
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
        Pending next;
        while ((next = queue.poll()) != null) {
            batch.add(next);
            inFlight.incrementAndGet();
            queued.decrementAndGet();
        }
        if (!batch.isEmpty()) {
            persist(batch, "could not be written within the drain timeout of " + Duration.ofNanos(drainNanos));
        }
    }

    /**
     * Appends {@code batch}, isolating the records the store refuses: a refused range is cut in halves until each
     * refused record stands alone and is quarantined. Removes from {@code batch} every record settled (written or
     * quarantined), so that what is left is what to retry; {@link Outcome#WRITTEN} when nothing is.
     *
     * @param fromMemory whether the records are counted in {@code inFlight} (else they are the spool's)
     */
    private Outcome deliver(List<Pending> batch, boolean fromMemory) {
        List<Pending> all = List.copyOf(batch);
        List<Pending> left = new ArrayList<>();
        ArrayDeque<int[]> ranges = new ArrayDeque<>();
        ranges.push(new int[] {0, all.size()});
        Outcome outcome = Outcome.WRITTEN;
        while (!ranges.isEmpty()) {
            int[] range = ranges.pop();
            List<Pending> part = all.subList(range[0], range[1]);
            if (outcome != Outcome.WRITTEN) {
                left.addAll(part);
                continue;
            }
            Outcome appended = append(part);
            switch (appended) {
                case WRITTEN -> {
                    written.addAndGet(part.size());
                    settle(part, fromMemory);
                }
                case REJECTED -> {
                    if (part.size() == 1) {
                        quarantine(part.getFirst(), fromMemory);
                    } else {
                        int middle = (range[0] + range[1]) >>> 1;
                        ranges.push(new int[] {middle, range[1]});
                        ranges.push(new int[] {range[0], middle});
                    }
                }
                case FAILED, ABANDONED -> {
                    outcome = appended;
                    left.addAll(part);
                }
            }
        }
        batch.clear();
        batch.addAll(left);
        if (journal != null) {
            journal.release();
        }
        return outcome;
    }

    /** Records that are durable elsewhere (or refused) leave memory and settle their journal segment. */
    private void settle(List<Pending> records, boolean fromMemory) {
        for (Pending pending : records) {
            pending.settle();
        }
        if (fromMemory) {
            inFlight.addAndGet(-records.size());
        }
    }

    /**
     * Sets aside a record the store refused: kept in the quarantine file, logged once with its request id (the
     * rejection names no value). When the file cannot be written, a journaled record stays in the journal for the
     * next start; any other is lost.
     */
    private void quarantine(Pending pending, boolean fromMemory) {
        String why = rejection == null ? "refused" : rejection.getMessage();
        String kept;
        boolean settled = true;
        if (spool == null) {
            kept = "dropped (no spool directory is configured)";
            dropped.incrementAndGet();
        } else {
            try {
                spool.quarantine(pending.record());
                kept = "kept in " + spool.quarantineFile();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "cannot write the audit quarantine " + spool.quarantineFile(), e);
                if (pending.journaled() != null) {
                    settled = false;
                    kept = "left in the journal for the next start (the quarantine cannot be written)";
                } else {
                    kept = "lost (the quarantine cannot be written)";
                    dropped.incrementAndGet();
                }
            }
        }
        quarantined.incrementAndGet();
        if (settled) {
            pending.settle();
        }
        if (fromMemory) {
            inFlight.decrementAndGet();
        }
        LOG.log(System.Logger.Level.WARNING, "audit record " + pending.record().requestId() + " is refused by the "
                + "store (" + why + "); " + kept + "; the other records are written");
    }

    /**
     * Appends some records on a thread of their own and waits, keeping the memory bound meanwhile. Gives up (the
     * records stay with the caller) when the drain deadline passes first.
     *
     * <p>A platform thread, not a virtual one: a virtual thread shares the requests' carrier threads, and an
     * embedded database's insert of a few hundred rows holds its carrier for milliseconds without parking, so the
     * requests queued behind it on that carrier wait until it is done; the operating system, by contrast, shares a
     * core between threads in slices.
     */
    private Outcome append(List<Pending> records) {
        List<AuditRecord> snapshot = new ArrayList<>(records.size());
        for (Pending pending : records) {
            snapshot.add(pending.record());
        }
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
            Throwable cause = e.getCause() == null ? e : e.getCause();
            RejectedRecordException refused = rejected(cause);
            if (refused != null) {
                rejection = refused;
                answered();
                return Outcome.REJECTED;
            }
            failed(cause);
            return Outcome.FAILED;
        }
        answered();
        return Outcome.WRITTEN;
    }

    /** The rejection in {@code failure}'s causes, if the store refused the records rather than failed. */
    private static RejectedRecordException rejected(Throwable failure) {
        int depth = 0;
        for (Throwable cause = failure; cause != null && depth < 16; cause = cause.getCause(), depth++) {
            if (cause instanceof RejectedRecordException refused) {
                return refused;
            }
        }
        return null;
    }

    /** Appends the next records of the spool; whether they were all settled. */
    private boolean replay() {
        if (replaying == null) {
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
            replaying = new ArrayList<>(records.size());
            for (AuditRecord record : records) {
                replaying.add(new Pending(record, null));
            }
        }
        if (deliver(replaying, false) != Outcome.WRITTEN) {
            return false;
        }
        spool.acknowledge();
        replaying = null;
        return true;
    }

    /**
     * Keeps at most {@code maxPending} records in memory: spills the oldest to disk, or drops them without a spool.
     * A dropped record the journal holds is not lost: its segment stays, and the next start replays it.
     */
    private void relieve() {
        long held = queued.get() + inFlight.get();
        if (held <= maxPending) {
            return;
        }
        if (spool != null) {
            List<Pending> oldest = new ArrayList<>();
            Pending next;
            for (long excess = held - maxPending / 2; excess > 0 && (next = queue.poll()) != null; excess--) {
                oldest.add(next);
                inFlight.incrementAndGet();
                queued.decrementAndGet();
            }
            try {
                spill(oldest);
                if (!spillReported) {
                    spillReported = true;
                    LOG.log(System.Logger.Level.WARNING, "more than " + maxPending + " audit records wait for the "
                            + "store; spilling the oldest to " + spool.directory() + " (replayed when it answers)");
                }
                return;
            } catch (IOException | RuntimeException e) {
                // the disk failed too: back to the queue, then keep the bound as a writer without a spool would
                for (Pending kept : oldest) {
                    queued.incrementAndGet();
                    queue.offer(kept);
                }
                inFlight.addAndGet(-oldest.size());
                LOG.log(System.Logger.Level.ERROR, "cannot spill audit records to " + spool.directory(), e);
            }
        }
        long lost = 0;
        Pending next;
        for (long over = queued.get() + inFlight.get() - maxPending; over > 0 && (next = queue.poll()) != null;
             over--) {
            queued.decrementAndGet();
            lost += next.journaled() == null ? 1 : 0;
        }
        lost(lost, "more than " + maxPending + " records waited for the store");
    }

    /** Writes {@code records} (counted in inFlight) to a spool segment, forced to disk, and settles them. */
    private void spill(List<Pending> records) throws IOException {
        List<AuditRecord> spilling = new ArrayList<>(records.size());
        for (Pending pending : records) {
            spilling.add(pending.record());
        }
        spool.write(spilling);
        spilled.addAndGet(records.size());
        settle(records, true);
        if (journal != null) {
            journal.release();
        }
    }

    /**
     * Spills {@code records} (counted in inFlight) to disk; without a spool (or when the disk fails) they are lost,
     * but for those the journal holds.
     */
    private void persist(List<Pending> records, String why) {
        if (spool != null) {
            try {
                spill(records);
                LOG.log(System.Logger.Level.WARNING, records.size() + " audit record(s) " + why + "; spilled to "
                        + spool.directory() + ", to be written at the next start");
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "cannot spill audit records to " + spool.directory(), e);
            }
        }
        inFlight.addAndGet(-records.size());
        long lost = records.stream().filter(pending -> pending.journaled() == null).count();
        lost(lost, lost + " " + why);
        reportLoss(true);
    }

    /** Moves whatever is queued to disk: after the writer stopped, on the caller's thread. */
    private void sweep(String why) {
        sweeping.lock();
        try {
            List<Pending> left = new ArrayList<>();
            Pending next;
            while ((next = queue.poll()) != null) {
                left.add(next);
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
     * 10,000 records in memory at most, a 10 s drain, retries from 200 ms doubling to 10 s, no spool directory (and
     * so no journal).
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
        private boolean journal = true;
        private long journalSegmentBytes = AuditJournal.DEFAULT_SEGMENT_BYTES;

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
         * Where the journal is kept, records that cannot wait in memory go, and refused records are quarantined, and
         * where records wait across restarts: created if absent, and used by this writer alone.
         */
        public Builder spoolDirectory(Path directory) {
            this.spoolDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Whether every record is journaled in the spool directory as it arrives, so that a killed process loses none
         * (see the class); on by default, and only ever with a spool directory. Off, a crash loses the records not
         * yet written (about one flush interval, or up to {@code maxPending} during an outage).
         */
        public Builder journal(boolean enabled) {
            this.journal = enabled;
            return this;
        }

        /** The size at which a journal segment is closed and the next begun; for tests of the rotation. */
        Builder journalSegmentBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("journalSegmentBytes must be positive: " + bytes);
            }
            this.journalSegmentBytes = bytes;
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
