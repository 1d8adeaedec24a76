package dev.smartflow.core.audit;

import dev.smartflow.core.spi.AuditRecord;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit writer's files on disk: segments of JSON lines ({@link SpoolFormat}) to replay into the store, the
 * quarantine of records the store refused, and the naming of the {@link AuditJournal}'s segments.
 *
 * <ul>
 *   <li>{@code audit-<sequence>.jsonl}: records spilled by the writer (overflow, shutdown leftovers). A segment is
 *       written whole as {@code .part}, forced to disk, then renamed, so a complete segment is never seen half
 *       written. A {@code .part} left by a crash is replayed too; its torn last line, if any, is counted as
 *       unreadable.</li>
 *   <li>{@code journal-<sequence>.jsonl}: the journal's segments. Those a previous process left (it was killed, or
 *       its store was out of reach at shutdown) are replayed like spilled ones, after them.</li>
 *   <li>{@code quarantine.jsonl}: records the store refused for what they hold, one per line, kept for an operator;
 *       never replayed.</li>
 * </ul>
 * Segments are replayed oldest first and deleted once every record in them was acknowledged. A lock file keeps a
 * second writer (another process on the same data directory) out of the directory, so sequence numbers never
 * collide. Thread-safe: one lock guards the files, the segment list and the read cursor.
 */
final class AuditSpool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AuditSpool.class.getName());
    private static final Pattern NAME = Pattern.compile("(audit|journal)-(\\d{19})\\.jsonl(\\.part)?");
    static final String QUARANTINE = "quarantine.jsonl";
    /** Records per segment at most: a failed replay starts its segment again, so segments stay modest. */
    static final int SEGMENT_RECORDS = 10_000;

    /** A segment and the lines in it not yet acknowledged. */
    private static final class Segment {
        final Path path;
        long lines;

        Segment(Path path, long lines) {
            this.path = path;
            this.lines = lines;
        }
    }

    private final Path directory;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final ReentrantLock guard = new ReentrantLock();
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private long nextSequence;
    private final long nextJournalSequence;
    private FileOutputStream quarantine;
    private BufferedReader reader;
    /** Records read from the oldest segment and handed out, not yet acknowledged; null when none are. */
    private List<AuditRecord> outstanding;
    private long outstandingLines;

    /**
     * Opens {@code directory} (creating it), takes its lock, and finds and counts the segments a previous process
     * left (a read of each, line by line: leftovers are rare, and {@link #spooled()} is exact from the start).
     *
     * @throws UncheckedIOException  when the directory cannot be created or listed
     * @throws IllegalStateException when another writer holds the directory
     */
    AuditSpool(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
        try {
            Files.createDirectories(directory);
            lockFile = FileChannel.open(directory.resolve("spool.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit spool directory " + directory, e);
        }
        FileLock acquired;
        try {
            acquired = lockFile.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            closeQuietly(lockFile);
            throw new IllegalStateException("the audit spool directory " + directory
                    + " is in use by another audit writer");
        }
        lock = acquired;
        TreeMap<Long, Path> spilled = new TreeMap<>();
        TreeMap<Long, Path> journaled = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*-*.jsonl*")) {
            for (Path file : files) {
                Matcher name = NAME.matcher(file.getFileName().toString());
                if (name.matches()) {
                    (name.group(1).equals("audit") ? spilled : journaled).put(Long.parseLong(name.group(2)), file);
                }
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot list the audit spool directory " + directory, e);
        }
        spilled.values().forEach(path -> segments.add(new Segment(path, -1)));
        journaled.values().forEach(path -> segments.add(new Segment(path, -1)));
        segments.forEach(this::count);
        nextSequence = spilled.isEmpty() ? 1 : spilled.lastKey() + 1;
        nextJournalSequence = journaled.isEmpty() ? 1 : journaled.lastKey() + 1;
    }

    /** The sequence number this process's journal starts at: after every journal segment a previous one left. */
    long nextJournalSequence() {
        return nextJournalSequence;
    }

    /** Where the records the store refused are kept. */
    Path quarantineFile() {
        return directory.resolve(QUARANTINE);
    }

    /**
     * Adds a record the store refused to {@link #quarantineFile()}, forced to disk: it exists nowhere else once its
     * segment is acknowledged.
     */
    void quarantine(AuditRecord record) throws IOException {
        guard.lock();
        try {
            if (quarantine == null) {
                quarantine = new FileOutputStream(quarantineFile().toFile(), true);
            }
            quarantine.write(SpoolFormat.line(record));
            quarantine.getFD().sync();
        } finally {
            guard.unlock();
        }
    }

    Path directory() {
        return directory;
    }

    private void count(Segment segment) {
        try (BufferedReader lines = open(segment.path)) {
            long count = 0;
            String line;
            while ((line = lines.readLine()) != null) {
                count += line.isBlank() ? 0 : 1;
            }
            segment.lines = count;
        } catch (IOException e) {
            segment.lines = 0;
            LOG.log(System.Logger.Level.WARNING, "cannot count the records of audit spool segment "
                    + segment.path + "; replaying it anyway", e);
        }
        spooled.addAndGet(segment.lines);
    }

    /**
     * A reader that replaces malformed bytes rather than failing: a crash may tear a multi-byte character, and the
     * torn line must fail as one unreadable record, not stop the replay.
     */
    private static BufferedReader open(Path path) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8));
    }

    /** Records on disk that no store acknowledged yet. */
    long spooled() {
        return spooled.get();
    }

    /** Lines that could not be read back as records (torn by a crash, or damaged): lost. */
    long unreadable() {
        return unreadable.get();
    }

    boolean isEmpty() {
        guard.lock();
        try {
            return segments.isEmpty();
        } finally {
            guard.unlock();
        }
    }

    /** How many segment files are on disk. */
    int segments() {
        guard.lock();
        try {
            return segments.size();
        } finally {
            guard.unlock();
        }
    }

    /**
     * Writes {@code records} durably (forced to disk) as one or more new segments. Either a segment is complete on
     * disk or it is not there at all.
     */
    void write(List<AuditRecord> records) throws IOException {
        guard.lock();
        try {
            for (int from = 0; from < records.size(); from += SEGMENT_RECORDS) {
                List<AuditRecord> part = records.subList(from, Math.min(records.size(), from + SEGMENT_RECORDS));
                Path target = directory.resolve(String.format("audit-%019d.jsonl", nextSequence++));
                Path partial = target.resolveSibling(target.getFileName() + ".part");
                try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                    for (AuditRecord record : part) {
                        out.write(SpoolFormat.line(record));
                    }
                    out.flush();
                    channel.force(true);
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(partial);
                    throw e;
                }
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                segments.add(new Segment(target, part.size()));
                spooled.addAndGet(part.size());
            }
        } finally {
            guard.unlock();
        }
    }

    /**
     * Up to {@code max} records from the oldest segment, the same ones again until {@link #acknowledge()}d; empty when
     * the spool is empty. A segment read to its end is deleted here, once its last records were acknowledged.
     */
    List<AuditRecord> next(int max) throws IOException {
        guard.lock();
        try {
            if (outstanding != null) {
                return outstanding;
            }
            while (!segments.isEmpty()) {
                Segment segment = segments.peekFirst();
                if (reader == null) {
                    try {
                        reader = open(segment.path);
                    } catch (NoSuchFileException e) {
                        LOG.log(System.Logger.Level.WARNING, "audit spool segment " + segment.path
                                + " disappeared before it was replayed");
                        finish(segment);
                        continue;
                    }
                }
                List<AuditRecord> records = new ArrayList<>(Math.min(max, 1024));
                long lines = 0;
                long damaged = 0;
                String line;
                while (records.size() < max && (line = reader.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    lines++;
                    try {
                        records.add(SpoolFormat.decode(line));
                    } catch (IllegalArgumentException e) {
                        damaged++;
                    }
                }
                if (damaged > 0) {
                    unreadable.addAndGet(damaged);
                    LOG.log(System.Logger.Level.WARNING, damaged + " line(s) of audit spool segment "
                            + segment.path.getFileName() + " are not readable records (torn by a crash?); "
                            + "they are lost");
                }
                if (!records.isEmpty()) {
                    outstanding = List.copyOf(records);
                    outstandingLines = lines;
                    return outstanding;
                }
                // the segment's end: only damaged lines (if any) were left
                finish(segment);
            }
            return List.of();
        } finally {
            guard.unlock();
        }
    }

    /** The records of the last {@link #next} are in the store. */
    void acknowledge() {
        guard.lock();
        try {
            if (outstanding == null) {
                return;
            }
            segments.peekFirst().lines -= outstandingLines;
            spooled.addAndGet(-Math.min(spooled.get(), outstandingLines));
            outstanding = null;
            outstandingLines = 0;
        } finally {
            guard.unlock();
        }
    }

    private void finish(Segment segment) {
        closeQuietly(reader);
        reader = null;
        segments.pollFirst();
        // damaged lines of the last read, and whatever else the count said that was never handed out
        spooled.addAndGet(-Math.min(spooled.get(), Math.max(0, segment.lines)));
        try {
            Files.deleteIfExists(segment.path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot delete replayed audit spool segment " + segment.path
                    + "; its records will be appended again (and skipped as duplicates) at the next start", e);
        }
    }

    /** Releases the directory's lock and the read cursor; segments stay on disk for the next writer. */
    @Override
    public void close() {
        guard.lock();
        try {
            closeQuietly(reader);
            reader = null;
            outstanding = null;
            closeQuietly(quarantine);
            quarantine = null;
            try {
                if (lock != null && lock.isValid()) {
                    lock.release();
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "releasing the audit spool lock failed: " + e);
            }
            closeQuietly(lockFile);
        } finally {
            guard.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing " + closeable + " failed: " + e);
        }
    }
}
