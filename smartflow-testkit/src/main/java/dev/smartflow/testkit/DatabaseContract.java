package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.AuditSummary;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VirtualKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Database} must show, through its {@link KeyStore} and its {@link AuditLog}. An
 * implementation's test extends it, says how to make a database that holds no records of earlier tests, and adds
 * only what is specific to the implementation.
 *
 * <pre>{@code
 * class InMemoryDatabaseTest extends DatabaseContract {
 *     protected Database create() { return new InMemoryDatabase(); }
 * }
 * }</pre>
 *
 * <p>Times in these tests carry nanoseconds on purpose: records keep microseconds, and every implementation must
 * truncate and compare them alike.
 */
public abstract class DatabaseContract {
    /** A time with sub-microsecond digits, so that truncation is exercised. */
    protected static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123456789Z");
    private static final int THREADS = 200;

    /** The database under test, made by {@link #create()} before each test and closed after it. */
    protected Database database;
    protected KeyStore keys;
    protected AuditLog audit;

    /** A new, open database that holds no keys, spend or audit records. */
    protected abstract Database create();

    @BeforeEach
    void createDatabase() {
        database = create();
        keys = database.keys();
        audit = database.audit();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    // --- the database

    @Test
    void storesAreTheSameObjectOnEveryCall() {
        assertSame(database.keys(), database.keys());
        assertSame(database.audit(), database.audit());
    }

    @Test
    void everyCallFailsAfterClose() {
        database.close();

        assertThrows(IllegalStateException.class, () -> database.keys());
        assertThrows(IllegalStateException.class, () -> keys.list());
        assertThrows(IllegalStateException.class, () -> keys.addSpend(KeyId.of("k"), "p", 1));
        assertThrows(IllegalStateException.class, () -> audit.query(AuditQuery.latest(1)));
        assertThrows(IllegalStateException.class, () -> audit.append(List.of(record("r", T0))));
        database.close();
    }

    // --- keys

    @Test
    void aCreatedKeyIsFoundByIdAndByTokenHashWithEveryField() {
        VirtualKey key = fullKey("k1", "owner-a", T0);

        keys.create(key);

        assertEquals(Optional.of(key), keys.findById(key.id()));
        assertEquals(Optional.of(key), keys.findByTokenHash(key.tokenHash()));
    }

    @Test
    void aMinimalKeyRoundTrips() {
        VirtualKey key = key("k1", "owner-a", T0);

        keys.create(key);

        VirtualKey found = keys.findById(key.id()).orElseThrow();
        assertEquals(key, found);
        assertTrue(found.budgetMicros().isEmpty());
        assertTrue(found.lastUsed().isEmpty());
        assertTrue(found.allowedProviders().isEmpty());
        assertTrue(found.tags().isEmpty());
    }

    @Test
    void timesAreKeptToTheMicrosecond() {
        keys.create(key("k1", "owner-a", T0));

        assertEquals(Instant.parse("2026-11-01T10:00:00.123456Z"), keys.findById(KeyId.of("k1")).orElseThrow()
                .createdAt());
    }

    @Test
    void unknownKeysAreNotFound() {
        assertEquals(Optional.empty(), keys.findById(KeyId.of("absent")));
        assertEquals(Optional.empty(), keys.findByTokenHash("absent"));
        assertEquals(List.of(), keys.list());
    }

    @Test
    void creatingADuplicateIdOrTokenHashFailsAndChangesNothing() {
        VirtualKey first = key("k1", "owner-a", T0);
        keys.create(first);

        assertThrows(IllegalStateException.class, () -> keys.create(key("k1", "owner-b", T0.plusSeconds(1))));
        VirtualKey sameHash = VirtualKey.builder(KeyId.of("k2"), "other", "owner-b", first.tokenHash(), T0).build();
        assertThrows(IllegalStateException.class, () -> keys.create(sameHash));

        assertEquals(List.of(first), keys.list());
    }

    @Test
    void listReturnsEveryKeyInCreationOrder() {
        VirtualKey late = key("a-late", "owner-a", T0.plusSeconds(10));
        VirtualKey early = key("z-early", "owner-b", T0);
        VirtualKey sameTimeB = key("b", "owner-a", T0.plusSeconds(5));
        VirtualKey sameTimeA = key("a", "owner-a", T0.plusSeconds(5));
        List.of(late, early, sameTimeB, sameTimeA).forEach(keys::create);

        assertEquals(List.of(early, sameTimeA, sameTimeB, late), keys.list());
    }

    @Test
    void listByOwnerReturnsOnlyThatOwnersKeys() {
        VirtualKey a1 = key("a1", "owner-a", T0);
        VirtualKey b1 = key("b1", "owner-b", T0.plusSeconds(1));
        VirtualKey a2 = key("a2", "owner-a", T0.plusSeconds(2));
        List.of(a2, b1, a1).forEach(keys::create);

        assertEquals(List.of(a1, a2), keys.listByOwner("owner-a"));
        assertEquals(List.of(b1), keys.listByOwner("owner-b"));
        assertEquals(List.of(), keys.listByOwner("owner-c"));
    }

    @Test
    void revokeDeactivatesTheKeyAndKeepsTheRest() {
        VirtualKey key = fullKey("k1", "owner-a", T0);
        keys.create(key);

        assertTrue(keys.revoke(key.id()));
        assertTrue(keys.revoke(key.id()));

        assertEquals(Optional.of(key.revoked()), keys.findById(key.id()));
        assertFalse(keys.findByTokenHash(key.tokenHash()).orElseThrow().active());
    }

    @Test
    void revokeOrTouchOfAnUnknownKeyReportsFalse() {
        assertFalse(keys.revoke(KeyId.of("absent")));
        assertFalse(keys.touch(KeyId.of("absent"), T0));
        assertEquals(List.of(), keys.list());
    }

    @Test
    void touchRecordsTheLastUse() {
        VirtualKey key = key("k1", "owner-a", T0);
        keys.create(key);

        assertTrue(keys.touch(key.id(), T0.plusSeconds(60)));
        assertTrue(keys.touch(key.id(), T0.plusSeconds(120)));

        assertEquals(Optional.of(key.withLastUsed(T0.plusSeconds(120))), keys.findById(key.id()));
    }

    // --- spend

    @Test
    void spendOfAnUnknownPeriodIsZero() {
        assertEquals(0, keys.spend(KeyId.of("k1"), "2026-11"));
    }

    @Test
    void addSpendAccumulatesAndReturnsTheNewTotal() {
        KeyId id = KeyId.of("k1");

        assertEquals(1_500, keys.addSpend(id, "2026-11", 1_500));
        assertEquals(4_000, keys.addSpend(id, "2026-11", 2_500));
        assertEquals(4_000, keys.addSpend(id, "2026-11", 0));

        assertEquals(4_000, keys.spend(id, "2026-11"));
    }

    @Test
    void spendIsKeptPerKeyAndPerPeriod() {
        keys.addSpend(KeyId.of("k1"), "2026-11", 10);
        keys.addSpend(KeyId.of("k1"), "2026-12", 20);
        keys.addSpend(KeyId.of("k2"), "2026-11", 30);

        assertEquals(10, keys.spend(KeyId.of("k1"), "2026-11"));
        assertEquals(20, keys.spend(KeyId.of("k1"), "2026-12"));
        assertEquals(30, keys.spend(KeyId.of("k2"), "2026-11"));
    }

    @Test
    void resetSpendForgetsOnlyThatPeriod() {
        KeyId id = KeyId.of("k1");
        keys.addSpend(id, "2026-11", 10);
        keys.addSpend(id, "2026-12", 20);

        assertTrue(keys.resetSpend(id, "2026-11"));
        assertFalse(keys.resetSpend(id, "2026-11"));

        assertEquals(0, keys.spend(id, "2026-11"));
        assertEquals(20, keys.spend(id, "2026-12"));
        assertEquals(5, keys.addSpend(id, "2026-11", 5));
    }

    @Test
    void spendSurvivesRevocation() {
        VirtualKey key = key("k1", "owner-a", T0);
        keys.create(key);
        keys.addSpend(key.id(), "lifetime", 42);

        keys.revoke(key.id());

        assertEquals(42, keys.spend(key.id(), "lifetime"));
    }

    @Test
    void invalidSpendIsRejectedAndChangesNothing() {
        KeyId id = KeyId.of("k1");
        keys.addSpend(id, "p", 10);

        assertThrows(IllegalArgumentException.class, () -> keys.addSpend(id, "p", -1));
        assertThrows(IllegalArgumentException.class, () -> keys.addSpend(id, " ", 1));

        assertEquals(10, keys.spend(id, "p"));
    }

    @Test
    void aSpendThatWouldOverflowFailsAndChangesNothing() {
        KeyId id = KeyId.of("k1");
        keys.addSpend(id, "p", Long.MAX_VALUE - 1);

        assertThrows(ArithmeticException.class, () -> keys.addSpend(id, "p", 2));

        assertEquals(Long.MAX_VALUE - 1, keys.spend(id, "p"));
    }

    @Test
    void concurrentSpendAddsUpExactly() throws Exception {
        KeyId id = KeyId.of("k1");

        List<Long> totals = concurrently(i -> keys.addSpend(id, "2026-11", 7));

        assertEquals(THREADS * 7L, keys.spend(id, "2026-11"));
        assertEquals(LongStream.rangeClosed(1, THREADS).map(n -> n * 7).boxed()
                .collect(Collectors.toCollection(TreeSet::new)), new TreeSet<>(totals));
    }

    // --- audit: append

    @Test
    void anAppendedRecordComesBackWithEveryField() {
        AuditRecord record = fullRecord("r1", T0);

        assertEquals(1, audit.append(List.of(record)));

        assertEquals(List.of(record), audit.query(AuditQuery.latest(10)));
    }

    @Test
    void aMinimalRecordRoundTrips() {
        AuditRecord record = record("r1", T0);

        audit.append(List.of(record));

        assertEquals(List.of(record), audit.query(AuditQuery.latest(10)));
    }

    @Test
    void anEmptyBatchAddsNothing() {
        assertEquals(0, audit.append(List.of()));

        assertEquals(List.of(), audit.query(AuditQuery.latest(10)));
    }

    @Test
    void aRetriedBatchIsNotDuplicatedAndTheFirstRecordWins() {
        AuditRecord first = record("r1", T0);
        audit.append(List.of(first, record("r2", T0.plusSeconds(1))));

        AuditRecord changed = AuditRecord.builder("r1", T0.plusSeconds(5), "/x", "other", "m").build();
        int added = audit.append(List.of(changed, record("r2", T0.plusSeconds(1)), record("r3", T0.plusSeconds(2))));

        assertEquals(1, added);
        assertEquals(List.of("r3", "r2", "r1"), requestIds(audit.query(AuditQuery.latest(10))));
        assertEquals(first, audit.query(AuditQuery.latest(10)).getLast());
    }

    @Test
    void aDuplicateWithinOneBatchIsWrittenOnce() {
        int added = audit.append(List.of(record("r1", T0), record("r1", T0.plusSeconds(1)), record("r2", T0)));

        assertEquals(2, added);
        assertEquals(List.of(record("r2", T0), record("r1", T0)), audit.query(AuditQuery.latest(10)));
    }

    // --- audit: query

    @Test
    void queryReturnsTheNewestFirstUpToTheLimit() {
        audit.append(List.of(record("r1", T0), record("r3", T0.plusSeconds(2)), record("r2", T0.plusSeconds(1))));

        assertEquals(List.of("r3", "r2", "r1"), requestIds(audit.query(AuditQuery.latest(10))));
        assertEquals(List.of("r3", "r2"), requestIds(audit.query(AuditQuery.latest(2))));
    }

    @Test
    void recordsWithTheSameTimestampAreOrderedByRequestIdDescending() {
        audit.append(List.of(record("a", T0), record("c", T0), record("b", T0)));

        assertEquals(List.of("c", "b", "a"), requestIds(audit.query(AuditQuery.latest(10))));
    }

    @Test
    void queryFiltersByProviderKeyAndSince() {
        KeyId k1 = KeyId.of("k1");
        audit.append(List.of(
                builder("old-openai-k1", T0, "openai").keyId(k1).build(),
                builder("openai-k1", T0.plusSeconds(10), "openai").keyId(k1).build(),
                builder("openai-k2", T0.plusSeconds(11), "openai").keyId(KeyId.of("k2")).build(),
                builder("anthropic-k1", T0.plusSeconds(12), "anthropic").keyId(k1).build(),
                builder("openai-master", T0.plusSeconds(13), "openai").build()));

        assertEquals(List.of("openai-master", "openai-k2", "openai-k1", "old-openai-k1"),
                requestIds(audit.query(AuditQuery.latest(10).withProvider("openai"))));
        assertEquals(List.of("anthropic-k1", "openai-k1", "old-openai-k1"),
                requestIds(audit.query(AuditQuery.latest(10).withKey(k1))));
        assertEquals(List.of("openai-master", "anthropic-k1", "openai-k2", "openai-k1"),
                requestIds(audit.query(AuditQuery.latest(10).since(T0.plusSeconds(10)))));
        assertEquals(List.of("openai-k1"),
                requestIds(audit.query(AuditQuery.latest(10).withProvider("openai").withKey(k1)
                        .since(T0.plusSeconds(1)))));
        assertEquals(List.of(), audit.query(AuditQuery.latest(10).withProvider("gemini")));
    }

    @Test
    void sinceIsInclusiveToTheMicrosecond() {
        audit.append(List.of(record("r1", T0)));

        assertEquals(1, audit.query(AuditQuery.latest(10).since(T0)).size());
        assertEquals(1, audit.query(AuditQuery.latest(10).since(T0.minusNanos(999))).size());
        assertEquals(0, audit.query(AuditQuery.latest(10).since(T0.plusNanos(1_000))).size());
    }

    @Test
    void theLimitAppliesAfterTheFilters() {
        List<AuditRecord> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(builder("r" + i, T0.plusSeconds(i), i % 2 == 0 ? "openai" : "anthropic").build());
        }
        audit.append(batch);

        assertEquals(List.of("r8", "r6", "r4"), requestIds(audit.query(AuditQuery.latest(3).withProvider("openai"))));
    }

    // --- audit: summary

    @Test
    void summaryCountsRequestsErrorsCacheHitsAndCostByProvider() {
        audit.append(List.of(
                builder("r1", T0, "openai").costMicros(1_000).build(),
                builder("r2", T0.plusSeconds(1), "openai").costMicros(2_500).cacheHit("exact").build(),
                builder("r3", T0.plusSeconds(2), "anthropic").costMicros(700).failed(502, "upstream_error").build(),
                builder("r4", T0.plusSeconds(3), "anthropic").failed(429, "rate_limited").build(),
                builder("before", T0.minusSeconds(1), "openai").costMicros(99).build(),
                builder("at-end", T0.plusSeconds(60), "gemini").costMicros(99).build()));

        AuditSummary summary = audit.summary(T0, T0.plusSeconds(60));

        assertEquals(new AuditSummary(4, 2, 1, Map.of("openai", 3_500L, "anthropic", 700L)), summary);
        assertEquals(4_200, summary.costMicros());
    }

    @Test
    void summaryOfAnEmptyRangeIsEmpty() {
        audit.append(List.of(record("r1", T0)));

        assertEquals(AuditSummary.EMPTY, audit.summary(T0.plusSeconds(1), T0.plusSeconds(2)));
        assertEquals(AuditSummary.EMPTY, audit.summary(T0, T0));
        assertThrows(IllegalArgumentException.class, () -> audit.summary(T0, T0.minusSeconds(1)));
    }

    // --- audit: concurrency

    @Test
    void concurrentAppendsWithRetriedDuplicatesAddEachRecordOnce() throws Exception {
        List<Integer> added = concurrently(i -> {
            // Each thread writes its own two records and retries the batch of a neighbour, as a writer that never
            // learnt whether its batch landed would.
            int neighbour = (i + 1) % THREADS;
            return audit.append(batchOf(i)) + audit.append(batchOf(neighbour));
        });

        List<AuditRecord> all = audit.query(AuditQuery.latest(AuditQuery.MAX_LIMIT));
        assertEquals(THREADS * 2, all.size());
        assertEquals(THREADS * 2, all.stream().map(AuditRecord::requestId).distinct().count());
        assertEquals(THREADS * 2, added.stream().mapToInt(Integer::intValue).sum(), "records reported as added");
        List<AuditRecord> expected = IntStream.range(0, THREADS).boxed().flatMap(i -> batchOf(i).stream())
                .sorted(Comparator.comparing(AuditRecord::timestamp).thenComparing(AuditRecord::requestId).reversed())
                .toList();
        assertEquals(expected, all);
        assertEquals(THREADS * 2L, audit.summary(T0, T0.plus(Duration.ofDays(1))).requests());
    }

    // --- fixtures

    /** A key with only the required fields. */
    protected static VirtualKey key(String id, String owner, Instant createdAt) {
        return VirtualKey.builder(KeyId.of(id), "key " + id, owner, "hash-" + id, createdAt).build();
    }

    /** A key with every optional field present. */
    protected static VirtualKey fullKey(String id, String owner, Instant createdAt) {
        return VirtualKey.builder(KeyId.of(id), "key " + id, owner, "hash-" + id, createdAt)
                .allowedProviders(Set.of("openai", "anthropic"))
                .budget(50_000_000, BudgetPeriod.WEEKLY)
                .tpmLimit(100_000)
                .rpmLimit(600)
                .tags(Map.of("env", "prod", "team", "a \"quoted\" team"))
                .lastUsed(Optional.of(createdAt.plusMillis(1_500).plusNanos(789)))
                .build();
    }

    /** A successful openai record with no optional fields. */
    protected static AuditRecord record(String requestId, Instant timestamp) {
        return builder(requestId, timestamp, "openai").build();
    }

    /** A record with every optional field present. */
    protected static AuditRecord fullRecord(String requestId, Instant timestamp) {
        return builder(requestId, timestamp, "anthropic")
                .keyId(KeyId.of("k1"))
                .userId("user-1")
                .orgId("org-1")
                .teamId("team-1")
                .tokens(1_200, 345)
                .costMicros(12_345)
                .cacheHit("semantic")
                .compliance(0.875, List.of("pii.email", "pii.phone"))
                .latencyMicros(412_345)
                .failed(502, "upstream_error")
                .build();
    }

    protected static AuditRecord.Builder builder(String requestId, Instant timestamp, String provider) {
        return AuditRecord.builder(requestId, timestamp, "/v1/chat/completions", provider, "model-x");
    }

    private static List<AuditRecord> batchOf(int thread) {
        return List.of(record("t" + thread + "-a", T0.plusMillis(thread)),
                builder("t" + thread + "-b", T0.plusMillis(thread), "anthropic").costMicros(thread).build());
    }

    private static List<String> requestIds(List<AuditRecord> records) {
        return records.stream().map(AuditRecord::requestId).toList();
    }

    /** Runs the task on {@value #THREADS} virtual threads released together; the results in task order. */
    protected static <T> List<T> concurrently(Concurrently.IndexedTask<T> task) throws Exception {
        return Concurrently.run(THREADS, task);
    }
}
