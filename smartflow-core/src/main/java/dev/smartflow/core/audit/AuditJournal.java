package dev.smartflow.core.audit;

import dev.smartflow.core.spi.AuditRecord;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;

/**
 * Every audit record, on disk before its call's answer is complete: the writer's append-only journal, so that a killed
 * process ({@code kill -9}) loses no record it acknowledged. Segments {@code journal-<sequence>.jsonl} of
 * {@link SpoolFormat} lines in the spool directory, rotated by size; a segment is deleted once each record in it is
 * <em>settled</em>: in the store, in a spilled segment (forced to disk), or in quarantine. What a killed process left
 * is replayed at the next start like a spilled segment ({@link AuditSpool}); the store skips the records it already
 * holds.
 *
 * <p><b>Cost.</b> {@link #append} encodes the record outside any lock (one byte array of the line's size), then
 * makes one {@code write} into the page cache: no {@code fsync}, which a killed process does not need (the kernel
 * still has the bytes), and which would cost each call a disk flush. A power loss can therefore lose the last seconds
 * of records, as a crash of the host loses anything unflushed. Producers write side by side under the shared mode of
 * a {@link StampedLock} (a compare-and-set, no parking): the file is opened for appending ({@code O_APPEND}), and
 * Linux writes each such {@code write} of a regular file whole at the end, so lines never interleave. Only opening a
 * segment and rotating, once per {@link #DEFAULT_SEGMENT_BYTES} by default, take the lock exclusively. The stream is
 * a {@link FileOutputStream}, not a {@link FileChannel}: an interrupted request thread would close a channel for
 * every thread.
 *
 * <p>Thread-safe: producers append; the writer (and close) settle and release.
 */
final class AuditJournal implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AuditJournal.class.getName());
    /** About ten thousand records: a few seconds of heavy traffic, replayed in a few batches. */
    static final long DEFAULT_SEGMENT_BYTES = 4L << 20;

    /** A journal file, and how many of the records written to it are settled. */
    static final class Segment {
        final Path path;
        private final FileOutputStream out;
        private final AtomicLong size = new AtomicLong();
        /** Final once {@link #sealed}: sealing waits for every writer. */
        private final AtomicInteger appended = new AtomicInteger();
        private volatile boolean sealed;
        private final AtomicInteger settled = new AtomicInteger();

        private Segment(Path path) throws IOException {
            this.path = path;
            this.out = new FileOutputStream(path.toFile(), true);
        }

        /** One record of this segment is durable elsewhere (or refused for good). */
        void settle() {
            settled.incrementAndGet();
        }

        private boolean done() {
            return sealed && settled.get() >= appended.get();
        }
    }

    private final Path directory;
    private final long segmentBytes;
    /** Shared by writes; exclusive to change {@link #active} (open, rotate, seal, close). */
    private final StampedLock lock = new StampedLock();
    /** Every segment of this process not yet deleted, the one being written included. */
    private final ConcurrentLinkedQueue<Segment> segments = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean failing = new AtomicBoolean();
    /** Guarded by the exclusive lock. */
    private long nextSequence;
    /** Read under the shared lock, written under the exclusive one. */
    private Segment active;
    private boolean closed;

    AuditJournal(Path directory, long firstSequence, long segmentBytes) {
        this.directory = directory;
        this.nextSequence = firstSequence;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Writes the record's line; the segment that holds it, or null when it could not be written (the disk failed:
     * logged once per failing spell; the record then lives in memory only) or the journal is closed.
     */
    Segment append(AuditRecord record) {
        byte[] line;
        try {
            line = SpoolFormat.line(record);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, record.requestId() + ": the audit record cannot be journaled", e);
            return null;
        }
        long shared = lock.readLock();
        Segment segment = active;
        if (segment == null) {
            return appendAlone(line, shared);
        }
        boolean full;
        IOException failure = null;
        try {
            segment.out.write(line);
            segment.appended.incrementAndGet();
            full = segment.size.addAndGet(line.length) >= segmentBytes;
        } catch (IOException e) {
            failure = e;
            full = true;
        } finally {
            lock.unlockRead(shared);
        }
        if (full) {
            // a torn line ends its segment too: the next record begins another
            rotate(segment);
        }
        if (failure != null) {
            failed(failure);
            return null;
        }
        recovered();
        return segment;
    }

    /**
     * No segment is open (the first record, or after a failure): trades the shared stamp for the exclusive lock,
     * opens one and writes.
     */
    private Segment appendAlone(byte[] line, long shared) {
        long exclusive = lock.tryConvertToWriteLock(shared);
        if (exclusive == 0) {
            lock.unlockRead(shared);
            exclusive = lock.writeLock();
        }
        try {
            if (closed) {
                return null;
            }
            if (active == null) {
                active = open();
            }
            Segment segment = active;
            segment.out.write(line);
            segment.appended.incrementAndGet();
            if (segment.size.addAndGet(line.length) >= segmentBytes) {
                seal();
            }
            recovered();
            return segment;
        } catch (IOException e) {
            failed(e);
            seal();
            return null;
        } finally {
            lock.unlockWrite(exclusive);
        }
    }

    /** Ends {@code full} (if it is still the one being written) and begins the next; a failure is left to the next. */
    private void rotate(Segment full) {
        long exclusive = lock.writeLock();
        try {
            if (active == full) {
                seal();
                if (!closed) {
                    active = open();
                }
            }
        } catch (IOException e) {
            failed(e);
        } finally {
            lock.unlockWrite(exclusive);
        }
    }

    private Segment open() throws IOException {
        Segment segment = new Segment(directory.resolve(String.format("journal-%019d.jsonl", nextSequence++)));
        segments.add(segment);
        return segment;
    }

    /** Ends the segment being written, if any; call with the exclusive lock held, so that no write is under way. */
    private void seal() {
        Segment segment = active;
        if (segment == null) {
            return;
        }
        active = null;
        try {
            segment.out.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing audit journal segment " + segment.path + " failed: " + e);
        }
        segment.sealed = true;
    }

    private void failed(IOException e) {
        if (failing.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.ERROR, "cannot write the audit journal in " + directory + "; records are "
                    + "kept in memory only until it can be written again (a crash would lose them)", e);
        }
    }

    private void recovered() {
        if (failing.get() && failing.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "the audit journal in " + directory + " is written again");
        }
    }

    /** Deletes the sealed segments whose records are all settled; by the writer, after it settled some. */
    void release() {
        for (Segment segment : segments) {
            if (segment.done() && segments.remove(segment)) {
                try {
                    Files.deleteIfExists(segment.path);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot delete settled audit journal segment " + segment.path
                            + "; its records will be appended again (and skipped as duplicates) at the next start", e);
                }
            }
        }
    }

    /** How many journal files this process has on disk (the one being written included). */
    int segments() {
        return segments.size();
    }

    /**
     * Ends the journal: later appends return null. Settled segments are deleted; the others are forced to disk, to be
     * replayed at the next start.
     */
    @Override
    public void close() {
        long exclusive = lock.writeLock();
        try {
            closed = true;
            seal();
        } finally {
            lock.unlockWrite(exclusive);
        }
        release();
        for (Segment kept : segments) {
            try (FileChannel file = FileChannel.open(kept.path, StandardOpenOption.WRITE)) {
                file.force(true);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot force audit journal segment " + kept.path + " to disk", e);
            }
        }
    }
}
