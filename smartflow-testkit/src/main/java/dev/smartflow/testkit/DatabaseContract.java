package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.keys.VirtualKeys;
import dev.smartflow.core.routing.AttemptOutcome;
import dev.smartflow.core.routing.ChainTarget;
import dev.smartflow.core.routing.FallbackChain;
import dev.smartflow.core.routing.Strategy;
import dev.smartflow.core.spi.AuditAnalytics.ByCaller;
import dev.smartflow.core.spi.AuditAnalytics.ByDay;
import dev.smartflow.core.spi.AuditAnalytics.ByModel;
import dev.smartflow.core.spi.AuditAnalytics.ByProvider;
import dev.smartflow.core.spi.AuditAnalytics.Latency;
import dev.smartflow.core.spi.AuditAnalytics;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.AuditSummary;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.ChainStore;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VirtualKey;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
        assertThrows(IllegalStateException.class, () -> audit.analytics(T0, T0.plusSeconds(1), 10));
        database.close();
    }

    // --- fallback chains

    @Test
    void aChainIsStoredReplacedListedByNameAndDeleted() {
        ChainStore chains = database.chains();
        FallbackChain full = new FallbackChain("prod-chain", List.of(ChainTarget.of("openai", "gpt-4o")
                        .withWeight(3).withDailyBudgetMicros(12_500_000), new ChainTarget("groq", "llama-3.3-70b",
                        0, OptionalLong.empty(), Optional.of("http://127.0.0.1:9/v1"), Optional.of("GROQ_EU_KEY"))),
                Strategy.WEIGHTED, Set.of(429, 503), 4, Duration.ofMillis(50), Duration.ofSeconds(20));
        FallbackChain small = FallbackChain.of("Alpha", List.of(ChainTarget.of("openai", "gpt-4o-mini")));

        assertTrue(chains.put(full));
        assertTrue(chains.put(small));
        assertEquals(Optional.of(full), chains.get("prod-chain"));
        assertEquals(List.of(small, full), chains.list(), "by name, as Java orders strings");

        FallbackChain replaced = full.withStrategy(Strategy.LATENCY);
        assertFalse(chains.put(replaced));
        assertEquals(Optional.of(replaced), chains.get("prod-chain"));

        assertTrue(chains.delete("prod-chain"));
        assertFalse(chains.delete("prod-chain"));
        assertEquals(Optional.empty(), chains.get("prod-chain"));
        assertEquals(List.of(small), chains.list());
    }

    @Test
    void chainCallsFailAfterClose() {
        ChainStore chains = database.chains();
        database.close();

        assertThrows(IllegalStateException.class, () -> database.chains());
        assertThrows(IllegalStateException.class, chains::list);
        assertThrows(IllegalStateException.class, () -> chains.get("c"));
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

    /**
     * The key API ({@code VirtualKeys}) refuses longer fields, control characters and unpaired surrogates before a
     * store sees them, so a store need not refuse them itself; what it must do is keep every key that API lets through
     * exactly, the largest and the least ASCII included.
     */
    @Test
    void aKeyWithEveryFieldAtTheKeyApisLimitsRoundTripsExactly() {
        String longest = "\uD83D\uDD11\u00e9\u4e2d\"'\\%_".repeat(VirtualKeys.MAX_NAME_LENGTH / 8);
        String tag = "\u00e9\"\\\u4e2d".repeat(VirtualKeys.MAX_TAG_LENGTH / 4);
        Map<String, String> tags = IntStream.range(0, VirtualKeys.MAX_TAGS).boxed()
                .collect(Collectors.toMap(i -> tag.substring(0, tag.length() - 4) + i, i -> tag));
        Set<String> providers = IntStream.range(0, VirtualKeys.MAX_PROVIDERS)
                .mapToObj(i -> tag.substring(0, tag.length() - 4) + i).collect(Collectors.toSet());
        VirtualKey key = VirtualKey.builder(KeyId.of("k1"), longest, longest, "hash-k1", T0)
                .allowedProviders(providers)
                .budget(VirtualKeys.MAX_BUDGET_MICROS, BudgetPeriod.LIFETIME)
                .tpmLimit(Long.MAX_VALUE)
                .rpmLimit(Long.MAX_VALUE)
                .tags(tags)
                .build();

        keys.create(key);

        assertEquals(Optional.of(key), keys.findById(key.id()));
        assertEquals(List.of(key), keys.listByOwner(longest));
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
    void aTraceQueryReturnsOnlyThatRunsRecordsNewestFirst() {
        audit.append(List.of(
                builder("r1", T0, "openai").traceId("run-1").build(),
                builder("r2", T0.plusSeconds(1), "openai").traceId("run-2").build(),
                builder("r3", T0.plusSeconds(2), "mcp-server").traceId("run-1").build(),
                record("r4", T0.plusSeconds(3))));

        assertEquals(List.of("r3", "r1"), requestIds(audit.query(AuditQuery.trace("run-1", 10))));
        assertEquals(List.of("r3"), requestIds(audit.query(AuditQuery.trace("run-1", 10)
                .withProvider("mcp-server"))));
        assertEquals(List.of(), audit.query(AuditQuery.trace("run-9", 10)));
    }

    @Test
    void aRecordsTraceIdReadsBack() {
        AuditRecord record = builder("r1", T0, "openai").traceId("4bf92f3577b34da6a3ce929d0e0e4736").build();

        audit.append(List.of(record, record("r2", T0)));

        assertEquals(Optional.of("4bf92f3577b34da6a3ce929d0e0e4736"),
                audit.query(AuditQuery.latest(10).withTrace("4bf92f3577b34da6a3ce929d0e0e4736")).getFirst().traceId());
        assertEquals(Optional.empty(), audit.query(AuditQuery.latest(10)).stream()
                .filter(r -> r.requestId().equals("r2")).findFirst().orElseThrow().traceId());
    }

    @Test
    void aDuplicateWithinOneBatchIsWrittenOnce() {
        int added = audit.append(List.of(record("r1", T0), record("r1", T0.plusSeconds(1)), record("r2", T0)));

        assertEquals(2, added);
        assertEquals(List.of(record("r2", T0), record("r1", T0)), audit.query(AuditQuery.latest(10)));
    }

    // --- audit: text no store can hold, stored alike by every store

    @Test
    void aNulInAnyTextIsStoredAsTheReplacementCharacter() {
        AuditRecord record = AuditRecord.builder("r\u00001", T0, "/v1/chat\u0000", "open\u0000ai", "gpt\u0000")
                .keyId(KeyId.of("k\u00001"))
                .userId("a\u0000b")
                .orgId("\u0000org")
                .teamId("team\u0000")
                .cacheHit("exact\u0000")
                .compliance(0.5, List.of("pii\u0000email"))
                .failed(502, "upstream\u0000error")
                .build();

        assertEquals(1, audit.append(List.of(record)));

        AuditRecord stored = audit.query(AuditQuery.latest(10)).getFirst();
        assertEquals("r\uFFFD1", stored.requestId());
        assertEquals(Optional.of(KeyId.of("k\uFFFD1")), stored.keyId());
        assertEquals(Optional.of("a\uFFFDb"), stored.userId());
        assertEquals(Optional.of("\uFFFDorg"), stored.orgId());
        assertEquals(Optional.of("team\uFFFD"), stored.teamId());
        assertEquals("/v1/chat\uFFFD", stored.route());
        assertEquals("open\uFFFDai", stored.provider());
        assertEquals("gpt\uFFFD", stored.model());
        assertEquals(Optional.of("exact\uFFFD"), stored.hitType());
        assertEquals(List.of("pii\uFFFDemail"), stored.complianceFlags());
        assertEquals(Optional.of("upstream\uFFFDerror"), stored.error());
        assertEquals(List.of(stored), audit.query(AuditQuery.latest(10).withKey(KeyId.of("k\u00001"))
                .withProvider("open\uFFFDai")));
    }

    @Test
    void aLoneSurrogateIsStoredAsTheReplacementCharacterAndAPairIsKept() {
        AuditRecord record = builder("r1", T0, "openai").userId("a\uD800b").orgId("\uDC00")
                .teamId("team \uD83D\uDE00").build();

        audit.append(List.of(record));

        AuditRecord stored = audit.query(AuditQuery.latest(10)).getFirst();
        assertEquals(Optional.of("a\uFFFDb"), stored.userId());
        assertEquals(Optional.of("\uFFFD"), stored.orgId());
        assertEquals(Optional.of("team \uD83D\uDE00"), stored.teamId());
    }

    @Test
    void textBeyondTheLimitIsCutAlikeAndAnIdThatLongIsStillUnique() {
        String longId = "\u00e9".repeat(2_000);
        String user = "a".repeat(AuditRecord.MAX_TEXT - 2) + "\uD83D\uDE00b";
        AuditRecord record = builder(longId, T0, "openai").userId(user).build();

        assertEquals(1, audit.append(List.of(record)));
        assertEquals(0, audit.append(List.of(builder(longId + "x", T0, "openai").build())));

        AuditRecord stored = audit.query(AuditQuery.latest(10)).getFirst();
        assertEquals("\u00e9".repeat(AuditRecord.MAX_TEXT - 1) + "\u2026", stored.requestId());
        // cut before the pair, which would not fit whole
        assertEquals(Optional.of("a".repeat(AuditRecord.MAX_TEXT - 2) + "\u2026"), stored.userId());
        assertEquals(1, audit.query(AuditQuery.latest(10)).size());
    }

    @Test
    void aRecordWithANulIsNotDuplicatedByARetry() {
        AuditRecord record = builder("r\u0000", T0, "openai").userId("\u0000").build();

        assertEquals(1, audit.append(List.of(record)));
        assertEquals(0, audit.append(List.of(record, builder("r\uFFFD", T0, "openai").build())));

        assertEquals(List.of("r\uFFFD"), requestIds(audit.query(AuditQuery.latest(10))));
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

    // --- audit: analytics

    @Test
    void analyticsAddUpEveryFigureOfTheRangeExactly() {
        // given
        audit.append(twoDaysOfTraffic());

        // when
        AuditAnalytics analytics = audit.analytics(T0, T0.plus(Duration.ofDays(2)), 3);

        // then
        ByModel claude = new ByModel("anthropic", "claude-3", 2, 1, 0, 300, 100, 3_000);
        ByModel gpt4o = new ByModel("openai", "gpt-4o", 2, 0, 0, 300, 70, 3_000);
        ByModel mini = new ByModel("openai", "gpt-4o-mini", 3, 0, 2, 40, 20, 300);
        AuditAnalytics expected = new AuditAnalytics(micros(T0), micros(T0.plus(Duration.ofDays(2))),
                8, 2, 2, 640, 190, 6_300,
                new Latency(50_000, 400_000, 400_000, 400_000),
                List.of(new ByProvider("openai", 5, 0, 2, 340, 90, 3_300),
                        new ByProvider("anthropic", 2, 1, 0, 300, 100, 3_000),
                        new ByProvider("none", 1, 1, 0, 0, 0, 0)),
                // costliest: claude-3 and gpt-4o tie on cost and requests, so the provider decides
                List.of(claude, gpt4o, mini),
                // most used: gpt-4o-mini, then the tie as above; none/unknown-model (1 request) is cut by top 3
                List.of(mini, claude, gpt4o),
                // every key has 2 requests: cost decides
                List.of(new ByCaller("k2", 2, 3_100), new ByCaller("k1", 2, 3_000), new ByCaller("k3", 2, 200)),
                List.of(new ByCaller("alice", 2, 3_000), new ByCaller("bob", 2, 100), new ByCaller("carol", 1, 100)),
                List.of(new ByDay(LocalDate.of(2026, 11, 1), 5, 1, 1, 6_100),
                        new ByDay(LocalDate.of(2026, 11, 2), 3, 1, 1, 200)));
        assertEquals(expected, analytics);
        assertEquals(0.25, analytics.errorRate());
        assertEquals(0.25, analytics.cacheHitRate());
        assertEquals(830, analytics.totalTokens());
    }

    @Test
    void topCutsTheModelKeyAndUserListsButNeverTheProviders() {
        // given
        audit.append(twoDaysOfTraffic());

        // when
        AuditAnalytics analytics = audit.analytics(T0, T0.plus(Duration.ofDays(2)), 1);

        // then
        assertEquals(List.of("openai", "anthropic", "none"),
                analytics.providers().stream().map(ByProvider::provider).toList());
        assertEquals(List.of("claude-3"), analytics.models().stream().map(ByModel::model).toList());
        assertEquals(List.of("gpt-4o-mini"), analytics.topModels().stream().map(ByModel::model).toList());
        assertEquals(List.of(new ByCaller("k2", 2, 3_100)), analytics.topKeys());
        assertEquals(List.of(new ByCaller("alice", 2, 3_000)), analytics.topUsers());
        assertEquals(8, analytics.requests());
        assertEquals(2, analytics.days().size());
    }

    @Test
    void topListsBreakTiesBySecondFigureThenByNameInStringOrder() {
        // given: by cost "ab" (11) leads, then "c" (10, two requests), then "B" and "a-b" (10, one request each);
        // String order puts "B" before "a-b" (a case-insensitive collation would not), and top 3 cuts "a-b"
        List<AuditRecord> records = new ArrayList<>();
        int i = 0;
        for (String name : List.of("ab", "a-b", "B", "c", "c")) {
            i++;
            records.add(AuditRecord.builder("t" + i, T0.plusSeconds(i), "/v1/chat/completions", "openai", name)
                    .keyId(KeyId.of(name))
                    .userId(name)
                    .costMicros(name.equals("ab") ? 11 : name.equals("c") && i == 5 ? 0 : 10)
                    .build());
        }
        audit.append(records);

        // when
        AuditAnalytics analytics = audit.analytics(T0, T0.plusSeconds(60), 3);

        // then
        assertEquals(List.of("ab", "c", "B"), analytics.models().stream().map(ByModel::model).toList());
        assertEquals(List.of("c", "ab", "B"), analytics.topModels().stream().map(ByModel::model).toList());
        List<ByCaller> callers = List.of(new ByCaller("c", 2, 10), new ByCaller("ab", 1, 11),
                new ByCaller("B", 1, 10));
        assertEquals(callers, analytics.topKeys());
        assertEquals(callers, analytics.topUsers());
    }

    @Test
    void providersWithEqualCostAndRequestsAreInStringOrder() {
        // given
        audit.append(List.of(builder("r1", T0, "az").costMicros(5).build(),
                builder("r2", T0, "a-z").costMicros(5).build(),
                builder("r3", T0, "Az").costMicros(5).build(),
                builder("r4", T0, "cheap").build(),
                builder("r5", T0, "cheap").build()));

        // when
        AuditAnalytics analytics = audit.analytics(T0, T0.plusSeconds(1), 10);

        // then
        assertEquals(List.of("Az", "a-z", "az", "cheap"),
                analytics.providers().stream().map(ByProvider::provider).toList());
    }

    @Test
    void latencyPercentilesAreTheNearestRankAmongTheRangesLatencies() {
        // given: day 1 holds 1..20 ms, day 2 holds 1..6 ms, day 3 a single request, each in a scrambled order
        List<AuditRecord> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long millis = (i * 7 % 20) + 1;
            records.add(builder("a" + i, T0.plusSeconds(i), "openai").latencyMicros(millis * 1_000).build());
        }
        for (int i = 0; i < 6; i++) {
            long millis = (i * 5 % 6) + 1;
            records.add(builder("b" + i, T0.plus(Duration.ofDays(1)).plusSeconds(i), "openai")
                    .latencyMicros(millis * 1_000).build());
        }
        records.add(builder("c", T0.plus(Duration.ofDays(2)), "openai").latencyMicros(777).build());
        audit.append(records);

        // when
        Latency twenty = audit.analytics(T0, T0.plus(Duration.ofDays(1)), 10).latency();
        Latency six = audit.analytics(T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)), 10).latency();
        Latency one = audit.analytics(T0.plus(Duration.ofDays(2)), T0.plus(Duration.ofDays(3)), 10).latency();
        Latency all = audit.analytics(T0, T0.plus(Duration.ofDays(3)), 10).latency();

        // then: ranks ceil(p * n / 100)
        assertEquals(new Latency(10_000, 18_000, 19_000, 20_000), twenty); // ranks 10, 18, 19, 20
        assertEquals(new Latency(3_000, 6_000, 6_000, 6_000), six);         // ranks 3, 6, 6, 6 (not 5 for p90)
        assertEquals(new Latency(777, 777, 777, 777), one);
        // 27 values: 777 µs, 1 ms twice, ..., 6 ms twice, 7..20 ms; ranks 14, 25, 26, 27
        assertEquals(new Latency(7_000, 18_000, 19_000, 20_000), all);
    }

    @Test
    void analyticsCountFromInclusiveToExclusiveToTheMicrosecond() {
        // given
        Instant to = T0.plusSeconds(60);
        audit.append(List.of(
                builder("before", T0.minusNanos(1_000), "openai").costMicros(1).build(),
                builder("first", T0, "openai").costMicros(10).build(),
                builder("last", to.minusNanos(1_000), "openai").costMicros(100).build(),
                builder("at-end", to, "openai").costMicros(1_000).build()));

        // when
        AuditAnalytics analytics = audit.analytics(T0, to, 10);
        AuditAnalytics widened = audit.analytics(T0.minusNanos(999), to.plusNanos(1_000), 10);

        // then
        assertEquals(2, analytics.requests());
        assertEquals(110, analytics.costMicros());
        assertEquals(micros(T0), analytics.from());
        assertEquals(micros(to), analytics.to());
        // the bounds truncate to the microsecond: T0 - 999 ns is the microsecond of "before", to + 1 µs takes "at-end"
        assertEquals(4, widened.requests());
        assertEquals(1_111, widened.costMicros());
    }

    @Test
    void daysAreUtcDaysBeforeTheEpochToo() {
        // given
        audit.append(List.of(builder("r1", Instant.parse("1969-12-31T23:59:59.999999Z"), "openai").build(),
                builder("r2", Instant.parse("1970-01-01T00:00:00Z"), "openai").costMicros(3).build(),
                builder("r3", Instant.parse("1969-12-31T00:00:00Z"), "openai").build(),
                builder("r4", Instant.parse("1969-12-30T23:59:59.999999Z"), "openai").build()));

        // when
        AuditAnalytics analytics = audit.analytics(Instant.parse("1969-12-01T00:00:00Z"),
                Instant.parse("1970-02-01T00:00:00Z"), 10);

        // then
        assertEquals(List.of(new ByDay(LocalDate.of(1969, 12, 30), 1, 0, 0, 0),
                new ByDay(LocalDate.of(1969, 12, 31), 2, 0, 0, 0),
                new ByDay(LocalDate.of(1970, 1, 1), 1, 0, 0, 3)), analytics.days());
    }

    @Test
    void analyticsOfAnEmptyRangeAreZerosWithoutNaN() {
        // given
        audit.append(twoDaysOfTraffic());
        Instant from = T0.plusSeconds(10);
        Instant to = T0.plusSeconds(20);

        // when
        AuditAnalytics analytics = audit.analytics(from, to, 10);

        // then
        assertEquals(AuditAnalytics.empty(micros(from), micros(to)), analytics);
        assertEquals(0.0, analytics.errorRate());
        assertEquals(0.0, analytics.cacheHitRate());
        assertEquals(Latency.ZERO, analytics.latency());
        assertEquals(AuditAnalytics.empty(micros(T0), micros(T0)), audit.analytics(T0, T0, 10));
    }

    @Test
    void analyticsRejectAnInvertedRangeAndATopOutOfBounds() {
        audit.append(twoDaysOfTraffic());

        assertThrows(IllegalArgumentException.class, () -> audit.analytics(T0, T0.minusSeconds(1), 10));
        assertThrows(IllegalArgumentException.class, () -> audit.analytics(T0, T0.plusSeconds(1), 0));
        assertThrows(IllegalArgumentException.class,
                () -> audit.analytics(T0, T0.plusSeconds(1), AuditAnalytics.MAX_TOP + 1));
        assertEquals(8, audit.analytics(T0, T0.plus(Duration.ofDays(2)), AuditAnalytics.MAX_TOP).requests());
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
                .traceId("trace-1")
                .userId("user-1")
                .orgId("org-1")
                .teamId("team-1")
                .tokens(1_200, 345)
                .costMicros(12_345)
                .cacheHit("semantic")
                .compliance(0.875, List.of("pii.email", "pii.phone"))
                .latencyMicros(412_345)
                .attempts(List.of(new AttemptOutcome("openai", "gpt-4o", 500, Optional.of("upstream_error"), 12_345),
                        new AttemptOutcome("anthropic", "model-x", 502, Optional.of("upstream_error"), 400_000)))
                .failed(502, "upstream_error")
                .build();
    }

    /**
     * Eight requests over 2026-11-01 and 2026-11-02 (from {@link #T0}), with two more just outside
     * {@code [T0, T0 + 2 days)}. The figures the analytics tests expect are worked out from this table.
     */
    protected static List<AuditRecord> twoDaysOfTraffic() {
        Instant dayTwo = T0.plus(Duration.ofDays(1));
        return List.of(
                call("r1", T0, "openai", "gpt-4o").keyId(KeyId.of("k1")).userId("alice").tokens(100, 50)
                        .costMicros(1_000).latencyMicros(100_000).build(),
                call("r2", T0.plusSeconds(1), "openai", "gpt-4o").keyId(KeyId.of("k1")).userId("alice")
                        .tokens(200, 20).costMicros(2_000).latencyMicros(200_000).build(),
                call("r3", T0.plusSeconds(2), "openai", "gpt-4o-mini").keyId(KeyId.of("k2")).userId("bob")
                        .tokens(10, 5).costMicros(100).cacheHit("exact").latencyMicros(5_000).build(),
                call("r4", T0.plusSeconds(3), "anthropic", "claude-3").keyId(KeyId.of("k2")).tokens(300, 100)
                        .costMicros(3_000).latencyMicros(400_000).build(),
                call("r5", T0.plusSeconds(4), "anthropic", "claude-3").userId("bob").failed(502, "upstream_error")
                        .latencyMicros(50_000).build(),
                call("r6", dayTwo, "openai", "gpt-4o-mini").keyId(KeyId.of("k3")).userId("carol").tokens(10, 5)
                        .costMicros(100).cacheHit("semantic").latencyMicros(6_000).build(),
                call("r7", dayTwo.plusSeconds(1), "none", "unknown-model").failed(401, "invalid_api_key")
                        .latencyMicros(1_000).build(),
                call("r8", dayTwo.plusSeconds(2), "openai", "gpt-4o-mini").keyId(KeyId.of("k3")).tokens(20, 10)
                        .costMicros(100).latencyMicros(300_000).build(),
                call("before", T0.minusNanos(1_000), "openai", "gpt-4o").keyId(KeyId.of("k9")).userId("zed")
                        .tokens(9, 9).costMicros(999_999).latencyMicros(9_999_999).failed(500, "x").build(),
                call("at-end", T0.plus(Duration.ofDays(2)), "gemini", "gemini-pro").keyId(KeyId.of("k9"))
                        .costMicros(999_999).latencyMicros(9_999_999).build());
    }

    private static AuditRecord.Builder call(String requestId, Instant timestamp, String provider, String model) {
        return AuditRecord.builder(requestId, timestamp, "/v1/chat/completions", provider, model);
    }

    private static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
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
