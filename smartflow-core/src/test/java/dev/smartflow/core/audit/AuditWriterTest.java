package dev.smartflow.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.AuditAnalytics;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.AuditSummary;
import dev.smartflow.core.spi.RejectedRecordException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditWriterTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    /** Long enough that only full batches (and close) write during a test. */
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir
    Path spool;

    private final AuditLog memory = new InMemoryDatabase().audit();
    private final FlakyLog store = new FlakyLog(memory);
    private final List<AuditWriter> writers = new ArrayList<>();
    private final List<Runnable> captures = new ArrayList<>();

    @AfterEach
    void closeWriters() {
        store.release();
        writers.forEach(AuditWriter::close);
        captures.forEach(Runnable::run);
    }

    private AuditWriter.Builder writer() {
        return AuditWriter.builder(store).flushInterval(Duration.ofMillis(10))
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(20));
    }

    private AuditWriter start(AuditWriter.Builder builder) {
        AuditWriter writer = builder.build();
        writers.add(writer);
        return writer;
    }

    private static AuditRecord record(int i) {
        return AuditRecord.builder("req-" + i, T0.plusMillis(i), "/v1/chat/completions", "openai", "gpt-4o")
                .costMicros(i).build();
    }

    private static void offer(AuditWriter writer, int from, int to) {
        for (int i = from; i < to; i++) {
            writer.onRecord(record(i));
        }
    }

    private long logged() {
        return memory.summary(Instant.EPOCH, T0.plus(Duration.ofDays(1))).requests();
    }

    private Set<String> loggedIds() {
        Set<String> ids = new HashSet<>();
        memory.query(AuditQuery.latest(AuditQuery.MAX_LIMIT)).forEach(r -> ids.add(r.requestId()));
        return ids;
    }

    private static Set<String> ids(int from, int to) {
        Set<String> ids = new HashSet<>();
        IntStream.range(from, to).forEach(i -> ids.add("req-" + i));
        return ids;
    }

    private List<Path> segments() {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(f -> f.getFileName().toString().startsWith("audit-")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits, with a deadline, until {@code condition} holds. */
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    void fullBatchesAreWrittenAtOnceAndTheRestWaitsForTheFlush() throws Exception {
        // given: a flush that never comes during the test
        AuditWriter writer = start(writer().batchSize(10).flushInterval(NEVER));

        // when
        offer(writer, 0, 95);

        // then: nine full batches; five records wait for the flush (or close)
        await(() -> writer.written() == 90, "nine batches are written");
        assertEquals(5, writer.pending());
        assertEquals(List.of(10, 10, 10, 10, 10, 10, 10, 10, 10), store.batches());

        // when
        writer.close();

        // then
        assertEquals(95, logged());
        assertEquals(10 * 9 + 5, store.batches().stream().mapToInt(Integer::intValue).sum());
        assertEquals(5, store.batches().getLast());
    }

    @Test
    void whatIsQueuedIsWrittenAfterTheFlushIntervalWithoutAFullBatch() throws Exception {
        // given
        AuditWriter writer = start(writer().batchSize(500).flushInterval(Duration.ofMillis(20)));

        // when
        offer(writer, 0, 3);

        // then
        // the store holds them a moment before the writer, woken by the append, counts them
        await(() -> logged() == 3 && writer.written() == 3, "three records are logged and counted");
        assertEquals(0, writer.pending());
        assertTrue(store.batches().stream().allMatch(size -> size <= 3), "batches " + store.batches());
    }

    @Test
    void recordsQueuedDuringAnOutageArriveWhenTheStoreAnswersAgain() throws Exception {
        // given
        store.failing = true;
        AuditWriter writer = start(writer().batchSize(10));

        // when
        offer(writer, 0, 50);
        await(() -> store.failures.get() >= 3, "the writer retried");

        // then
        assertEquals(0, logged());
        assertEquals(50, writer.pending());

        // when
        store.failing = false;

        // then
        await(() -> writer.written() == 50, "every record is written");
        assertEquals(ids(0, 50), loggedIds());
        assertEquals(0, writer.pending());
        assertEquals(50, store.delegated.get(), "each record went to the store once");
    }

    @Test
    void overflowBeyondTheMemoryBoundIsSpilledToDiskAndReplayedWhenTheStoreAnswers() throws Exception {
        // given
        store.failing = true;
        AuditWriter writer = start(writer().batchSize(5).maxPending(20).spoolDirectory(spool));

        // when
        offer(writer, 0, 100);

        // then: at most the bound waits in memory, the rest is on disk
        await(() -> writer.pending() - writer.spooled() <= 20, "memory is back under the bound");
        assertEquals(100, writer.pending());
        assertTrue(writer.spooled() >= 80, "spooled " + writer.spooled());
        assertTrue(writer.spilled() >= 80, "spilled " + writer.spilled());
        assertTrue(!segments().isEmpty(), "segment files on disk");
        long onDisk = 0;
        for (Path segment : segments()) {
            onDisk += Files.readAllLines(segment, StandardCharsets.UTF_8).size();
        }
        assertEquals(writer.spooled(), onDisk);
        assertEquals(0, logged());

        // when
        store.failing = false;

        // then
        await(() -> writer.pending() == 0, "nothing is pending");
        assertEquals(ids(0, 100), loggedIds());
        assertEquals(100, writer.written());
        assertEquals(100, store.delegated.get(), "no record went to the store twice");
        await(() -> segments().isEmpty(), "replayed segments are deleted");
        assertEquals(0, writer.dropped());
    }

    @Test
    void aStoreThatHangsCannotBreakTheMemoryBound() throws Exception {
        // given: appends block until released
        store.hang();
        AuditWriter writer = start(writer().batchSize(5).maxPending(20).spoolDirectory(spool));

        // when
        offer(writer, 0, 200);

        // then
        await(() -> writer.pending() - writer.spooled() <= 20, "memory is back under the bound");
        assertEquals(200, writer.pending());

        // when
        store.release();

        // then
        await(() -> writer.pending() == 0, "nothing is pending");
        assertEquals(ids(0, 200), loggedIds());
    }

    @Test
    void closeWritesEverythingQueued() {
        // given
        AuditWriter writer = start(writer().batchSize(500).flushInterval(NEVER));
        offer(writer, 0, 123);

        // when
        writer.close();

        // then
        assertEquals(ids(0, 123), loggedIds());
        assertEquals(123, writer.written());
        assertEquals(0, writer.pending());
    }

    @Test
    void closeSpillsWhatTheStoreDoesNotTakeInTimeAndARestartReplaysIt() throws Exception {
        // given
        store.failing = true;
        AuditWriter first = start(writer().batchSize(10).spoolDirectory(spool).drainTimeout(Duration.ofMillis(50)));
        offer(first, 0, 30);

        // when
        first.close();

        // then: on disk, nothing in the store
        assertEquals(30, first.spilled());
        assertEquals(30, first.spooled());
        assertEquals(0, logged());
        assertTrue(!segments().isEmpty());

        // when: the next process starts on the same spool with the store back
        store.failing = false;
        AuditWriter second = start(writer().spoolDirectory(spool));

        // then
        await(() -> second.written() == 30, "the leftover spool is replayed");
        assertEquals(ids(0, 30), loggedIds());
        assertEquals(0, second.pending());
        await(() -> segments().isEmpty(), "replayed segments are deleted");
    }

    @Test
    void aStoreThatHangsAtShutdownDelaysCloseOnlyByTheDrainTimeout() throws Exception {
        // given
        store.hang();
        AuditWriter writer = start(writer().batchSize(10).spoolDirectory(spool).drainTimeout(Duration.ofMillis(100)));
        offer(writer, 0, 25);
        await(() -> store.calls.get() > 0, "an append is under way");

        // when: close gives up on the hanging call (a generous bound: it must return, not be fast)
        assertTimeoutPreemptively(Duration.ofSeconds(15), writer::close);

        // then
        assertEquals(25, writer.spooled());
        assertEquals(0, logged());
    }

    @Test
    void aReplayAfterACrashSkipsWhatTheStoreAlreadyHolds() throws Exception {
        // given: a spool of 30, of which a crashed process had already written the first 10 (before deleting)
        store.failing = true;
        AuditWriter crashed = start(writer().spoolDirectory(spool).drainTimeout(Duration.ZERO));
        offer(crashed, 0, 30);
        crashed.close();
        memory.append(IntStream.range(0, 10).mapToObj(AuditWriterTest::record).toList());
        store.failing = false;

        // when
        AuditWriter next = start(writer().spoolDirectory(spool));

        // then
        await(() -> next.pending() == 0, "the spool is replayed");
        assertEquals(30, logged());
        assertEquals(ids(0, 30), loggedIds());
    }

    @Test
    void aSegmentTornByACrashIsReplayedUpToItsTornLine() throws Exception {
        // given: a segment that was being written when the process died, torn inside a two-byte character
        Path torn = spool.resolve("audit-0000000000000000007.jsonl.part");
        byte[] whole = (SpoolFormat.encode(record(1)) + "\n" + SpoolFormat.encode(record(2)) + "\n").getBytes(
                StandardCharsets.UTF_8);
        String third = SpoolFormat.encode(AuditRecord.builder("req-3", T0, "/v1/chat/completions", "openai", "gpt-4o")
                .userId("Zoë").build());
        byte[] tail = third.getBytes(StandardCharsets.UTF_8);
        int cut = third.indexOf('ë') + 1; // after the first byte of 'ë' (all that precedes it is ASCII)
        byte[] segment = new byte[whole.length + cut];
        System.arraycopy(whole, 0, segment, 0, whole.length);
        System.arraycopy(tail, 0, segment, whole.length, cut);
        Files.write(torn, segment);

        // when
        AuditWriter writer = start(writer().spoolDirectory(spool));

        // then
        await(() -> writer.pending() == 0 && logged() == 2 && Files.notExists(torn),
                "the readable records are replayed and the segment deleted");
        assertEquals(Set.of("req-1", "req-2"), loggedIds());
        assertEquals(1, writer.dropped());
    }

    @Test
    void newSegmentsFollowTheOnesAPreviousProcessLeft() throws Exception {
        // given
        Files.writeString(spool.resolve("audit-0000000000000000041.jsonl"), SpoolFormat.encode(record(1)) + "\n");
        store.hang();
        AuditWriter writer = start(writer().batchSize(5).maxPending(5).spoolDirectory(spool));

        // when
        offer(writer, 10, 40);
        await(() -> writer.spilled() > 0, "records are spilled");

        // then
        List<Path> segments = segments();
        assertEquals("audit-0000000000000000041.jsonl", segments.getFirst().getFileName().toString());
        assertEquals("audit-0000000000000000042.jsonl", segments.get(1).getFileName().toString());
        store.release();
        await(() -> writer.pending() == 0, "everything is written");
        assertEquals(31, logged());
    }

    @Test
    void concurrentProducersLoseNothingAndDuplicateNothing() throws Exception {
        // given: defaults, with a spool as the server has (a burst this fast overflows the memory bound)
        AuditWriter writer = start(AuditWriter.builder(store).spoolDirectory(spool));

        // when: 8 threads x 5,000 records
        produce(writer, 8, 5_000);

        // then
        await(() -> writer.pending() == 0 && writer.written() == 40_000, "everything is written");
        assertEquals(40_000, logged());
        assertEquals(40_000, store.delegated.get(), "no record went to the store twice");
        assertTrue(store.batches().stream().allMatch(size -> size <= AuditWriter.DEFAULT_BATCH_SIZE));
    }

    @Test
    void concurrentProducersThroughAnOutageWithSpillingLoseNothingAndDuplicateNothing() throws Exception {
        // given: the store is down while half the records arrive; memory holds 1,000 at most
        store.failing = true;
        AuditWriter writer = start(writer().batchSize(200).maxPending(1_000).spoolDirectory(spool));

        // when
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        AtomicInteger produced = new AtomicInteger();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(threads.submit(() -> {
                for (int i = 0; i < 5_000; i++) {
                    writer.onRecord(record(thread * 5_000 + i));
                    if (produced.incrementAndGet() == 20_000) {
                        store.failing = false;
                    }
                }
            }));
        }
        for (Future<?> future : done) {
            future.get(30, TimeUnit.SECONDS);
        }
        threads.shutdown();

        // then
        await(() -> writer.pending() == 0 && writer.written() == 40_000, "everything is written");
        assertEquals(40_000, logged());
        assertEquals(40_000, store.delegated.get(), "no record went to the store twice");
        assertTrue(writer.spilled() > 0, "the bound made the writer spill");
        assertEquals(0, writer.dropped());
    }

    @Test
    void withoutASpoolDirectoryTheOldestRecordsAreDroppedBeyondTheBound() throws Exception {
        // given
        store.failing = true;
        AuditWriter writer = start(writer().batchSize(5).maxPending(10));

        // when
        offer(writer, 0, 25);

        // then
        await(() -> writer.dropped() == 15, "the overflow is dropped");
        assertEquals(10, writer.pending());

        // when
        store.failing = false;

        // then: ten survive, the newest among them
        await(() -> writer.written() == 10, "the rest is written");
        assertEquals(10, logged());
        assertTrue(loggedIds().containsAll(ids(20, 25)), "kept " + loggedIds());
    }

    @Test
    void recordsArrivingAfterCloseAreSpilledAtOnce() throws Exception {
        // given
        AuditWriter writer = start(writer().spoolDirectory(spool));
        writer.close();

        // when
        writer.onRecord(record(1));

        // then
        assertEquals(1, writer.spooled());
        assertEquals(1, segments().size());
        AuditWriter next = start(writer().spoolDirectory(spool));
        await(() -> next.pending() == 0 && logged() == 1, "the next writer replays it");
    }

    @Test
    void anOutageIsLoggedOnceNotPerAttemptAndItsEndOnce() throws Exception {
        // given
        List<LogRecord> logs = capture(AuditWriter.class);
        store.failing = true;
        AuditWriter writer = start(writer().batchSize(1));

        // when
        offer(writer, 0, 3);
        await(() -> store.failures.get() >= 10, "ten failed attempts");
        store.failing = false;
        await(() -> writer.written() == 3, "written");

        // then
        assertEquals(1, logs.stream().filter(r -> r.getLevel() == Level.WARNING).count(), messages(logs));
        assertEquals(1, logs.stream().filter(r -> r.getMessage().contains("answers again")).count(),
                messages(logs));

        // when: a second outage
        int before = store.failures.get();
        store.failing = true;
        offer(writer, 3, 4);
        await(() -> store.failures.get() >= before + 2, "failing again");
        store.failing = false;
        await(() -> writer.written() == 4, "written");

        // then
        assertEquals(2, logs.stream().filter(r -> r.getLevel() == Level.WARNING).count(), messages(logs));
    }

    @Test
    void aSecondWriterOnTheSameSpoolDirectoryIsRefused() {
        start(writer().spoolDirectory(spool));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> start(writer().spoolDirectory(spool)));
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }

    @Test
    void theBuilderRejectsSettingsThatCannotWork() {
        AuditWriter.Builder builder = AuditWriter.builder(store);
        assertThrows(IllegalArgumentException.class, () -> builder.batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> builder.maxPending(0));
        assertThrows(IllegalArgumentException.class, () -> builder.flushInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder.drainTimeout(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class,
                () -> builder.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AuditWriter.builder(store).batchSize(100).maxPending(50).build());
        assertTrue(e.getMessage().contains("maxPending"), e.getMessage());
    }

    @Test
    void aRecordTheStoreRefusesIsQuarantinedAndEveryOtherRecordIsWritten() throws Exception {
        // given: a store that refuses one record of fifty as a data error
        store.refused.add("req-17");
        List<LogRecord> logs = capture(AuditWriter.class);
        AuditWriter writer = start(writer().batchSize(50).spoolDirectory(spool));

        // when
        offer(writer, 0, 50);

        // then: the other 49 are written, the refused one is set aside, and nothing waits
        await(() -> writer.pending() == 0, "nothing is pending");
        Set<String> others = ids(0, 50);
        others.remove("req-17");
        assertEquals(others, loggedIds());
        assertEquals(49, writer.written());
        assertEquals(1, writer.quarantined());
        assertEquals(0, writer.dropped());
        List<String> quarantine = Files.readAllLines(spool.resolve(AuditSpool.QUARANTINE), StandardCharsets.UTF_8);
        assertEquals(List.of(SpoolFormat.encode(record(17))), quarantine);
        List<String> warnings = logs.stream().filter(r -> r.getLevel() == Level.WARNING)
                .map(LogRecord::getMessage).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("req-17") && warnings.getFirst().contains("SQLState 22021"),
                warnings.getFirst());
    }

    @Test
    void recordsKeepFlowingAfterARefusedOne() throws Exception {
        // given
        store.refused.add("req-3");
        AuditWriter writer = start(writer().batchSize(10));
        offer(writer, 0, 10);
        await(() -> writer.written() == 9, "the first batch, but its refused record, is written");

        // when
        offer(writer, 10, 30);

        // then: without a spool directory the refused record is dropped, and counted as lost
        await(() -> writer.written() == 29, "the later batches are written");
        assertEquals(1, writer.quarantined());
        assertEquals(1, writer.dropped());
        assertEquals(0, writer.pending());
    }

    @Test
    void anOutageWhileARefusedRecordIsIsolatedIsRetriedNotQuarantined() throws Exception {
        // given: the store is down, and will refuse one record once it is back
        store.failing = true;
        store.refused.add("req-5");
        AuditWriter writer = start(writer().batchSize(20).spoolDirectory(spool));
        offer(writer, 0, 20);
        await(() -> store.failures.get() >= 3, "the outage is retried");
        assertEquals(0, writer.quarantined());

        // when
        store.failing = false;

        // then
        await(() -> writer.pending() == 0, "nothing is pending");
        assertEquals(19, logged());
        assertEquals(1, writer.quarantined());
    }

    @Test
    void aSpilledSegmentHoldingARefusedRecordDrainsAtTheNextStart() throws Exception {
        // given: thirty records spilled at shutdown while the store was down
        store.failing = true;
        AuditWriter first = start(writer().batchSize(10).spoolDirectory(spool).drainTimeout(Duration.ZERO));
        offer(first, 0, 30);
        first.close();
        assertEquals(30, first.spooled());

        // when: the store is back, but refuses one of them
        store.failing = false;
        store.refused.add("req-7");
        AuditWriter next = start(writer().spoolDirectory(spool));

        // then
        await(() -> next.pending() == 0, "the spool is replayed");
        Set<String> others = ids(0, 30);
        others.remove("req-7");
        assertEquals(others, loggedIds());
        assertEquals(1, next.quarantined());
        await(() -> segments().isEmpty(), "the replayed segments are deleted");
        assertEquals(1, Files.readAllLines(spool.resolve(AuditSpool.QUARANTINE)).size());
    }

    @Test
    void everyAcknowledgedRecordSurvivesACrashExactlyOnce() throws Exception {
        // given: a store that never answers, so that every record is still only in the writer when it "dies", and
        // eight threads journaling side by side (a line torn or interleaved by another would be unreadable)
        store.hang();
        AuditWriter crashing = start(writer().batchSize(50).spoolDirectory(spool));
        produce(crashing, 8, 500);
        await(() -> store.calls.get() > 0, "an append is under way");

        // when: the process is killed: what is on disk at this instant (the page cache) is all that is left; the
        // copy is that disk, and the writer is never closed on it
        Path afterCrash = Files.createDirectory(spool.resolveSibling(spool.getFileName() + "-after-crash"));
        for (Path file : files(spool)) {
            Files.copy(file, afterCrash.resolve(file.getFileName()));
        }
        AuditLog restarted = new InMemoryDatabase().audit();
        FlakyLog counting = new FlakyLog(restarted);
        AuditWriter next = start(AuditWriter.builder(counting).flushInterval(Duration.ofMillis(10))
                .spoolDirectory(afterCrash));

        // then: all 4,000, each sent once
        await(() -> next.pending() == 0, "the journal is replayed");
        assertEquals(ids(0, 4_000), restarted.query(AuditQuery.latest(AuditQuery.MAX_LIMIT)).stream()
                .map(AuditRecord::requestId).collect(Collectors.toSet()));
        assertEquals(4_000, counting.delegated.get(), "each record went to the store once");
        assertEquals(0, next.dropped());
        await(() -> files(afterCrash).stream().noneMatch(f -> f.getFileName().toString().startsWith("journal-")),
                "the replayed journal is deleted");
    }

    @Test
    void journalSegmentsRotateAndAreDeletedOnceTheirRecordsAreWritten() throws Exception {
        // given: segments of about four records, and a store that waits
        store.hang();
        AuditWriter writer = start(writer().batchSize(10).spoolDirectory(spool).journalSegmentBytes(1_000));
        offer(writer, 0, 100);
        assertTrue(journal().size() >= 10, "segments " + journal().size());

        // when
        store.release();

        // then: every sealed segment is gone once written; at most the one being written is left
        await(() -> writer.written() == 100, "everything is written");
        await(() -> journal().size() <= 1, "written segments are deleted");
        assertEquals(100, store.delegated.get(), "journaling sends no record twice");

        // when
        writer.close();

        // then
        assertEquals(List.of(), journal());
        assertEquals(List.of(), segments());
    }

    @Test
    void everyRecordIsInTheJournalWhenOnRecordReturns() throws Exception {
        // given
        store.hang();
        AuditWriter writer = start(writer().spoolDirectory(spool));

        // when
        for (int i = 0; i < 20; i++) {
            writer.onRecord(record(i));

            // then: at once, on disk, without waiting for the writer
            List<String> lines = new ArrayList<>();
            for (Path segment : journal()) {
                lines.addAll(Files.readAllLines(segment, StandardCharsets.UTF_8));
            }
            assertEquals(SpoolFormat.encode(record(i)), lines.getLast());
            assertEquals(i + 1, lines.size());
        }
    }

    @Test
    void withoutAJournalNothingIsWrittenToDiskUntilItMustBe() throws Exception {
        // given
        store.hang();
        AuditWriter writer = start(writer().spoolDirectory(spool).journal(false));

        // when
        offer(writer, 0, 20);

        // then
        assertEquals(List.of(), journal());
        assertEquals(20, writer.pending());
    }

    private List<Path> journal() {
        return files(spool).stream().filter(f -> f.getFileName().toString().startsWith("journal-")).toList();
    }

    private static List<Path> files(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The records {@code type}'s logger logs from now until the test ends. */
    private List<LogRecord> capture(Class<?> type) {
        Logger logger = Logger.getLogger(type.getName());
        List<LogRecord> logs = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logs.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        captures.add(() -> logger.removeHandler(handler));
        return logs;
    }

    private static String messages(List<LogRecord> logs) {
        return logs.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList().toString();
    }

    private static void produce(AuditWriter writer, int threads, int each) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> offer(writer, thread * each, (thread + 1) * each)));
            }
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A real log that fails while {@link #failing} is set, or blocks while hung; counts what it handed through and
     * the size of each batch that reached the real log.
     */
    private static final class FlakyLog implements AuditLog {
        private final AuditLog delegate;
        volatile boolean failing;
        /** Request ids the store refuses as a data error, whatever else their batch holds. */
        final Set<String> refused = ConcurrentHashMap.newKeySet();
        private volatile CountDownLatch hung = new CountDownLatch(0);
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicLong delegated = new AtomicLong();
        private final List<Integer> batches = new CopyOnWriteArrayList<>();

        FlakyLog(AuditLog delegate) {
            this.delegate = delegate;
        }

        void hang() {
            hung = new CountDownLatch(1);
        }

        void release() {
            hung.countDown();
        }

        List<Integer> batches() {
            return List.copyOf(batches);
        }

        @Override
        public int append(List<AuditRecord> records) {
            calls.incrementAndGet();
            try {
                hung.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            if (failing) {
                failures.incrementAndGet();
                throw new IllegalStateException("the store is down");
            }
            if (records.stream().anyMatch(record -> refused.contains(record.requestId()))) {
                throw new RejectedRecordException("the store refuses a value (SQLState 22021)", null);
            }
            batches.add(records.size());
            delegated.addAndGet(records.size());
            return delegate.append(records);
        }

        @Override
        public List<AuditRecord> query(AuditQuery query) {
            return delegate.query(query);
        }

        @Override
        public AuditSummary summary(Instant from, Instant to) {
            return delegate.summary(from, to);
        }

        @Override
        public AuditAnalytics analytics(Instant from, Instant to, int top) {
            return delegate.analytics(from, to, top);
        }
    }
}
