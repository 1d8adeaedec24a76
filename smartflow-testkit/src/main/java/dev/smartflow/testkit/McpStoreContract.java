package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.core.spi.McpStore.AccessRequest;
import dev.smartflow.core.spi.McpStore.Call;
import dev.smartflow.core.spi.McpStore.CallQuery;
import dev.smartflow.core.spi.McpStore.Grant;
import dev.smartflow.core.spi.McpStore.Server;
import dev.smartflow.core.spi.McpStore.Status;
import dev.smartflow.core.spi.McpStore.Token;
import dev.smartflow.core.spi.McpStore.Usage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Database}'s {@link McpStore} must show. An implementation's test extends it and says how
 * to make a database that holds no records of earlier tests.
 *
 * <pre>{@code
 * class InMemoryMcpStoreTest extends McpStoreContract {
 *     protected Database create() { return new InMemoryDatabase(); }
 * }
 * }</pre>
 */
public abstract class McpStoreContract {
    /** A time with sub-microsecond digits, so that truncation is exercised. */
    protected static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123456789Z");
    private static final KeyId KEY_A = KeyId.of("key_a");
    private static final KeyId KEY_B = KeyId.of("key_b");

    protected Database database;
    protected McpStore mcp;

    /** A new, open database that holds no MCP records. */
    protected abstract Database create();

    @BeforeEach
    void createDatabase() {
        database = create();
        mcp = database.mcp();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    @Test
    void aServerIsStoredReplacedListedByIdAndDeleted() {
        Server github = new Server("github-tools", "{\"name\":\"GitHub\"}", "sealed:abc", T0);
        Server files = new Server("files", "{\"name\":\"Files\"}", "", T0.plusSeconds(1));

        assertTrue(mcp.putServer(github));
        assertTrue(mcp.putServer(files));
        Server renamed = new Server("github-tools", "{\"name\":\"GitHub 2\"}", "sealed:def", T0.plusSeconds(2));
        assertFalse(mcp.putServer(renamed));

        assertEquals(Optional.of(renamed), mcp.server("github-tools"));
        assertEquals(List.of(files, renamed), mcp.servers());
        assertEquals(T0.plusSeconds(1).truncatedTo(ChronoUnit.MICROS),
                mcp.server("files").orElseThrow().updatedAt());
        assertTrue(mcp.deleteServer("files"));
        assertFalse(mcp.deleteServer("files"));
        assertEquals(Optional.empty(), mcp.server("files"));
        assertEquals(List.of(renamed), mcp.servers());
    }

    @Test
    void deletingAServerTakesItsGrantsAndTokensButKeepsRequestsAndCalls() {
        mcp.putServer(new Server("s1", "{}", "", T0));
        mcp.putServer(new Server("s2", "{}", "", T0));
        mcp.grant(new Grant(KEY_A, "s1", McpStore.EVERY_TOOL, T0));
        mcp.grant(new Grant(KEY_A, "s2", "search", T0));
        mcp.putToken(new Token("s1", "key_a", "sealed-1", T0));
        mcp.requestAccess(AccessRequest.pending("req_1", KEY_A, "s1", "write", "need it", T0));
        mcp.log(List.of(call("c1", T0, KEY_A, "s1", "read", 200, null, 10)));

        assertTrue(mcp.deleteServer("s1"));

        assertEquals(List.of(new Grant(KEY_A, "s2", "search", T0)), mcp.grants());
        assertEquals(Optional.empty(), mcp.token("s1", "key_a"));
        assertTrue(mcp.accessRequest("req_1").isPresent());
        assertEquals(1, mcp.calls(CallQuery.latest(10)).size());
    }

    @Test
    void grantsAreAddedOnceListedInOrderAndRevoked() {
        Grant second = new Grant(KEY_B, "s1", "a", T0);
        Grant first = new Grant(KEY_A, "s2", McpStore.EVERY_TOOL, T0);
        Grant third = new Grant(KEY_B, "s1", "b", T0.plusSeconds(5));

        assertTrue(mcp.grant(second));
        assertTrue(mcp.grant(third));
        assertTrue(mcp.grant(first));
        assertFalse(mcp.grant(new Grant(KEY_B, "s1", "a", T0.plusSeconds(9))));

        assertEquals(List.of(first, second, third), mcp.grants());
        assertTrue(mcp.revoke(KEY_B, "s1", "a"));
        assertFalse(mcp.revoke(KEY_B, "s1", "a"));
        assertEquals(List.of(first, third), mcp.grants());
    }

    @Test
    void accessRequestsAreFiledOnceAndListedNewestFirstByKeyAndStatus() {
        AccessRequest a1 = AccessRequest.pending("req_a1", KEY_A, "s1", "write", "for the release", T0);
        AccessRequest b1 = AccessRequest.pending("req_b1", KEY_B, "s1", McpStore.EVERY_TOOL, "", T0.plusSeconds(1));
        AccessRequest a2 = AccessRequest.pending("req_a2", KEY_A, "s2", "read", "", T0.plusSeconds(2));

        assertTrue(mcp.requestAccess(a1));
        assertTrue(mcp.requestAccess(b1));
        assertTrue(mcp.requestAccess(a2));
        assertFalse(mcp.requestAccess(AccessRequest.pending("req_a1", KEY_B, "s9", "x", "", T0)));

        assertEquals(Optional.of(a1), mcp.accessRequest("req_a1"));
        assertEquals(List.of(a2, b1, a1), mcp.accessRequests(Optional.empty(), Optional.empty()));
        assertEquals(List.of(a2, a1), mcp.accessRequests(Optional.of(KEY_A), Optional.empty()));
        mcp.decide("req_b1", false, T0.plusSeconds(3), Optional.empty());
        assertEquals(List.of(a2, a1), mcp.accessRequests(Optional.empty(), Optional.of(Status.PENDING)));
        assertEquals(List.of("req_b1"), mcp.accessRequests(Optional.empty(), Optional.of(Status.DENIED)).stream()
                .map(AccessRequest::id).toList());
    }

    @Test
    void approvingARequestGrantsWhatItAskedForAndADecisionIsFinal() {
        mcp.requestAccess(AccessRequest.pending("req_1", KEY_A, "s1", "write", "why", T0));

        Optional<AccessRequest> approved = mcp.decide("req_1", true, T0.plusSeconds(60), Optional.of("ok"));

        assertEquals(Status.APPROVED, approved.orElseThrow().status());
        assertEquals(Optional.of(T0.plusSeconds(60).truncatedTo(ChronoUnit.MICROS)),
                approved.get().decidedAt());
        assertEquals(Optional.of("ok"), approved.get().note());
        assertEquals(approved, mcp.accessRequest("req_1"));
        assertEquals(List.of(new Grant(KEY_A, "s1", "write", T0.plusSeconds(60))), mcp.grants());
        assertEquals(Optional.empty(), mcp.decide("req_1", false, T0.plusSeconds(61), Optional.empty()));
        assertEquals(approved, mcp.accessRequest("req_1"));
        assertEquals(Optional.empty(), mcp.decide("req_unknown", true, T0, Optional.empty()));
    }

    @Test
    void denyingARequestGrantsNothing() {
        mcp.requestAccess(AccessRequest.pending("req_1", KEY_A, "s1", McpStore.EVERY_TOOL, "", T0));

        AccessRequest denied = mcp.decide("req_1", false, T0.plusSeconds(1), Optional.of("no")).orElseThrow();

        assertEquals(Status.DENIED, denied.status());
        assertEquals(List.of(), mcp.grants());
    }

    @Test
    void concurrentDecisionsOnOneRequestDecideItOnce() throws Exception {
        mcp.requestAccess(AccessRequest.pending("req_1", KEY_A, "s1", "write", "", T0));

        List<Optional<AccessRequest>> outcomes = Concurrently.run(200,
                i -> mcp.decide("req_1", i % 2 == 0, T0.plusSeconds(i), Optional.empty()));

        List<AccessRequest> decided = outcomes.stream().flatMap(Optional::stream).toList();
        assertEquals(1, decided.size());
        assertEquals(decided.getFirst(), mcp.accessRequest("req_1").orElseThrow());
        assertEquals(decided.getFirst().status() == Status.APPROVED ? 1 : 0, mcp.grants().size());
    }

    @Test
    void callsAreLoggedOnceAndComeBackNewestFirstThroughTheFilters() {
        Call c1 = call("c1", T0, KEY_A, "s1", "read", 200, null, 1_000);
        Call c2 = call("c2", T0.plusSeconds(1), KEY_B, "s1", "write", 403, "tool_not_allowed", 0);
        Call c3 = call("c3", T0.plusSeconds(2), KEY_A, "s2", "read", 200, "tool_error", 2_000);
        Call c0 = call("c0", T0.plusSeconds(2), KEY_A, "s2", "read", 200, null, 2_000);

        assertEquals(3, mcp.log(List.of(c1, c2, c3)));
        assertEquals(1, mcp.log(List.of(c3, c0, c0)));

        assertEquals(List.of(c3, c0, c2, c1), mcp.calls(CallQuery.latest(10)));
        assertEquals(List.of(c3, c0), mcp.calls(CallQuery.latest(2)));
        assertEquals(List.of(c3, c0, c1), mcp.calls(CallQuery.latest(10).withKey(KEY_A)));
        assertEquals(List.of(c2, c1), mcp.calls(CallQuery.latest(10).withServer("s1")));
        assertEquals(List.of(c3, c0, c2), mcp.calls(CallQuery.latest(10).since(T0.plusSeconds(1))));
        assertEquals(0, mcp.log(List.of()));
    }

    @Test
    void aCallWithoutAKeyAndWithUnstorableTextReadsBackAlike() {
        Call master = new Call("c\u0000x", "trace-1", T0, Optional.empty(), "master", "s1", "bad\ud800name",
                "tools/call", 502, Optional.of("upstream_failed"), 0, 12);

        mcp.log(List.of(master));

        Call stored = mcp.calls(CallQuery.latest(1)).getFirst();
        assertEquals(master, stored);
        assertEquals("c\uFFFDx", stored.id());
        assertEquals("bad\uFFFDname", stored.tool());
    }

    @Test
    void usageSumsCallsErrorsAndCostPerServerAndTool() {
        mcp.log(List.of(
                call("c1", T0, KEY_A, "s2", "read", 200, null, 1_000),
                call("c2", T0.plusSeconds(1), KEY_A, "s2", "read", 200, "tool_error", 1_000),
                call("c3", T0.plusSeconds(2), KEY_B, "s1", "write", 403, "tool_not_allowed", 0),
                call("c4", T0.plusSeconds(3), KEY_B, "s2", "read", 200, null, 1_000),
                call("c5", T0.plusSeconds(4), KEY_A, "s1", "a", 200, null, 5)));

        assertEquals(List.of(new Usage("s1", "a", 1, 0, 5), new Usage("s1", "write", 1, 1, 0),
                new Usage("s2", "read", 3, 1, 3_000)), mcp.usage(Optional.empty(), Optional.empty()));
        assertEquals(List.of(new Usage("s1", "a", 1, 0, 5), new Usage("s2", "read", 2, 1, 2_000)),
                mcp.usage(Optional.of(KEY_A), Optional.empty()));
        assertEquals(List.of(new Usage("s1", "a", 1, 0, 5), new Usage("s1", "write", 1, 1, 0),
                new Usage("s2", "read", 1, 0, 1_000)), mcp.usage(Optional.empty(), Optional.of(T0.plusSeconds(2))));
        assertEquals(List.of(), mcp.usage(Optional.of(KeyId.of("key_none")), Optional.empty()));
    }

    @Test
    void concurrentLogsOfOverlappingBatchesAddEveryCallOnce() throws Exception {
        List<Call> calls = IntStream.range(0, 50)
                .mapToObj(i -> call("c" + i, T0.plusMillis(i), KEY_A, "s1", "t", 200, null, 1)).toList();

        List<Integer> added = Concurrently.run(20, i -> mcp.log(calls.subList(i, Math.min(calls.size(), i + 31))));

        assertEquals(50, added.stream().mapToInt(Integer::intValue).sum());
        assertEquals(List.of(new Usage("s1", "t", 50, 0, 50)), mcp.usage(Optional.empty(), Optional.empty()));
    }

    @Test
    void aUsersTokenIsReplacedReadAndDeleted() {
        Token first = new Token("s1", "key_a", "sealed-1", T0);
        Token second = new Token("s1", "key_a", "sealed-2", T0.plusSeconds(1));
        Token other = new Token("s1", "key_b", "sealed-3", T0);

        mcp.putToken(first);
        mcp.putToken(other);
        mcp.putToken(second);

        assertEquals(Optional.of(second), mcp.token("s1", "key_a"));
        assertEquals(Optional.of(other), mcp.token("s1", "key_b"));
        assertEquals(Optional.empty(), mcp.token("s2", "key_a"));
        assertTrue(mcp.deleteToken("s1", "key_a"));
        assertFalse(mcp.deleteToken("s1", "key_a"));
        assertEquals(Optional.empty(), mcp.token("s1", "key_a"));
    }

    @Test
    void everyCallFailsAfterClose() {
        database.close();

        assertThrows(IllegalStateException.class, () -> mcp.servers());
        assertThrows(IllegalStateException.class, () -> mcp.putServer(new Server("s", "{}", "", T0)));
        assertThrows(IllegalStateException.class, () -> mcp.grants());
        assertThrows(IllegalStateException.class, () -> mcp.calls(CallQuery.latest(1)));
        assertThrows(IllegalStateException.class, () -> mcp.token("s", "k"));
    }

    private static Call call(String id, Instant at, KeyId key, String server, String tool, int status, String error,
                             long cost) {
        return new Call(id, "trace-" + id, at, Optional.of(key), "key:" + key.value(), server, tool, "tools/call",
                status, Optional.ofNullable(error), cost, 100);
    }
}
