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

    @AfterEach
    void closeWriters() {
        store.release();
        writers.forEach(AuditWriter::close);
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
        Logger logger = Logger.getLogger(AuditWriter.class.getName());
        List<LogRecord> logs = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
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
        logger.addHandler(capture);
        try {
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
        } finally {
            logger.removeHandler(capture);
        }
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
