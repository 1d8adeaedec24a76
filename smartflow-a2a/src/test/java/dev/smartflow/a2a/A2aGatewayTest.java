package dev.smartflow.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An A2A client's whole round through the gateway with a virtual key: fetch the card, send, stream, get, cancel, to a
 * 1.0 agent and a 0.3 agent, in either revision, over JSON-RPC, REST and the API reference's simple body; with the
 * trace, credentials, access, budget and metric checked on the way.
 */
class A2aGatewayTest {
    @TempDir
    static Path data;
    static TestGateway gateway;
    static TestAgent modern;
    static TestAgent legacy;
    static TestGateway.Key key;

    @BeforeAll
    static void start() {
        gateway = new TestGateway(data);
        modern = new TestAgent(true, true);
        legacy = new TestAgent(false, false);
        gateway.register("{\"id\":\"echo\",\"name\":\"Echo\",\"url\":\"" + modern.url() + "\",\"auth\":{\"type\":"
                + "\"api_key\",\"header\":\"X-Agent-Key\",\"key\":\"agent-secret-1\"},\"allowed_tags\":{\"team\":"
                + "\"research\"},\"cost_per_task_usd\":0.01}");
        gateway.register("{\"id\":\"old\",\"url\":\"" + legacy.url() + "\",\"auth\":{\"type\":\"bearer\",\"token\":"
                + "\"agent-secret-2\"},\"allowed_keys\":[\"*\"]}");
        key = gateway.createKey("{\"name\":\"r\",\"owner_id\":\"o\",\"tags\":{\"team\":\"research\"}}");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        modern.close();
        legacy.close();
    }

    private static String rpc(Object id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + (id instanceof String s ? "\"" + s + "\"" : id) + ",\"method\":\""
                + method + "\",\"params\":" + params + "}";
    }

    private static final String HELLO_V1 = "{\"message\":{\"role\":\"ROLE_USER\",\"messageId\":\"m1\",\"parts\":"
            + "[{\"text\":\"hello\"}]}}";
    private static final String HELLO_V03 = "{\"message\":{\"kind\":\"message\",\"role\":\"user\",\"messageId\":"
            + "\"m1\",\"parts\":[{\"kind\":\"text\",\"text\":\"hello\"}]}}";

    @Test
    void theCardIsTheAgentsWithTheGatewaysUrlAndKey() {
        Http.Reply reply = Http.get(gateway.proxy("/a2a/echo/.well-known/agent-card.json"));

        assertEquals(200, reply.status(), reply.body());
        JsonNode card = reply.json();
        assertEquals("Echo Agent", card.path("name").asText());
        assertEquals(2, card.path("supportedInterfaces").size(), card.toString());
        for (JsonNode iface : card.path("supportedInterfaces")) {
            assertEquals(gateway.proxy("/a2a/echo"), iface.path("url").asText());
        }
        assertEquals("JSONRPC", card.path("supportedInterfaces").path(0).path("protocolBinding").asText());
        assertEquals("HTTP+JSON", card.path("supportedInterfaces").path(1).path("protocolBinding").asText());
        assertEquals("Bearer", card.path("securitySchemes").path("smartflow").path("httpAuthSecurityScheme")
                .path("scheme").asText());
        assertFalse(card.path("securitySchemes").has("agentKey"));
        assertTrue(card.path("securityRequirements").path(0).path("schemes").has("smartflow"));
        assertFalse(card.has("signatures"));
        assertFalse(card.toString().contains(modern.url()));
        assertTrue(reply.header("cache-control").orElse("").startsWith("max-age="));
        assertEquals(card, Http.get(gateway.proxy("/a2a/echo/.well-known/agent.json")).json());
    }

    @Test
    void aSendIsForwardedWithTheAgentsCredentialVersionAndTraceAndAnsweredWithTheTrace() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Http.Reply reply = Http.post(gateway.proxy("/a2a/echo"), rpc(7, "SendMessage", HELLO_V1),
                "Authorization", key.bearer(), "A2A-Version", "1.0", "traceparent", traceparent);

        assertEquals(200, reply.status(), reply.body());
        JsonNode answer = reply.json();
        assertEquals(7, answer.path("id").asInt());
        JsonNode task = answer.path("result").path("task");
        assertEquals("TASK_STATE_COMPLETED", task.path("status").path("state").asText());
        assertEquals("echo: hello", task.path("artifacts").path(0).path("parts").path(0).path("text").asText());
        assertEquals("0af7651916cd43dd8448eb211c80319c", reply.header("x-a2a-trace-id").orElseThrow());

        TestAgent.Seen seen = modern.last("/rpc");
        assertEquals("SendMessage", seen.body().path("method").asText());
        assertEquals("1.0", seen.header("A2A-Version"));
        assertEquals("agent-secret-1", seen.header("X-Agent-Key"));
        assertNull(seen.header("Authorization"), "the caller's key never reaches the agent");
        assertEquals("0af7651916cd43dd8448eb211c80319c", seen.header("x-a2a-trace-id"));
        assertTrue(seen.header("traceparent").startsWith("00-0af7651916cd43dd8448eb211c80319c-"));
    }

    @Test
    void aStreamIsRelayedEventByEventAsTheAgentSendsIt() {
        modern.holdStreams = true;
        try (Sse stream = Sse.post(gateway.proxy("/a2a/echo"), rpc("s1", "SendStreamingMessage", HELLO_V1),
                "Authorization", key.bearer(), "A2A-Version", "1.0")) {
            assertEquals(200, stream.response.statusCode());
            assertTrue(stream.response.headers().firstValue("x-a2a-trace-id").isPresent());
            JsonNode first = stream.next();
            assertEquals("s1", first.path("id").asText());
            assertEquals("TASK_STATE_WORKING", first.path("result").path("task").path("status").path("state")
                    .asText());
            JsonNode second = stream.next();
            // the agent holds its last event until released: these two came through before the stream ended
            assertEquals("echo: hello", second.path("result").path("artifactUpdate").path("artifact").path("parts")
                    .path(0).path("text").asText());
            modern.release.countDown();
            JsonNode last = stream.next();
            assertEquals("TASK_STATE_COMPLETED", last.path("result").path("statusUpdate").path("status")
                    .path("state").asText());
            assertNull(stream.next());
        } finally {
            modern.holdStreams = false;
        }
    }

    @Test
    void getAndCancelReachTheAgentAndItsErrorsKeepTheirA2aCodes() {
        JsonNode sent = Http.post(gateway.proxy("/a2a/echo"), rpc(1, "SendMessage", HELLO_V1),
                "Authorization", key.bearer(), "A2A-Version", "1.0").json();
        String taskId = sent.path("result").path("task").path("id").asText();

        JsonNode got = Http.post(gateway.proxy("/a2a/echo"), rpc(2, "GetTask", "{\"id\":\"" + taskId + "\"}"),
                "Authorization", key.bearer(), "A2A-Version", "1.0").json();
        JsonNode notCancelable = Http.post(gateway.proxy("/a2a/echo"), rpc(3, "CancelTask", "{\"id\":\"" + taskId
                + "\"}"), "Authorization", key.bearer(), "A2A-Version", "1.0").json();
        JsonNode missing = Http.post(gateway.proxy("/a2a/echo"), rpc(4, "GetTask", "{\"id\":\"nope\"}"),
                "Authorization", key.bearer(), "A2A-Version", "1.0").json();

        assertEquals(taskId, got.path("result").path("id").asText(), got.toString());
        assertEquals(-32002, notCancelable.path("error").path("code").asInt(), notCancelable.toString());
        assertEquals(-32001, missing.path("error").path("code").asInt());
        assertEquals(4, missing.path("id").asInt());
    }

    @Test
    void aCancelOfARunningTaskAnswersTheCanceledTask() {
        modern.holdStreams = true;
        try (Sse stream = Sse.post(gateway.proxy("/a2a/echo"), rpc("s2", "SendStreamingMessage", HELLO_V1),
                "Authorization", key.bearer(), "A2A-Version", "1.0")) {
            String taskId = stream.next().path("result").path("task").path("id").asText();

            JsonNode canceled = Http.post(gateway.proxy("/a2a/echo"), rpc(5, "CancelTask", "{\"id\":\"" + taskId
                    + "\"}"), "Authorization", key.bearer(), "A2A-Version", "1.0").json();

            assertEquals("TASK_STATE_CANCELED", canceled.path("result").path("status").path("state").asText(),
                    canceled.toString());
        } finally {
            modern.release.countDown();
            modern.holdStreams = false;
        }
    }

    @Test
    void aV03ClientReachesA1AgentInItsOwnRevision() {
        Http.Reply reply = Http.post(gateway.proxy("/a2a/echo"), rpc(1, "message/send", HELLO_V03),
                "Authorization", key.bearer());

        JsonNode task = reply.json().path("result");
        assertEquals("task", task.path("kind").asText(), reply.body());
        assertEquals("completed", task.path("status").path("state").asText());
        assertEquals("text", task.path("artifacts").path(0).path("parts").path(0).path("kind").asText());
        assertEquals("echo: hello", task.path("artifacts").path(0).path("parts").path(0).path("text").asText());
        JsonNode forwarded = modern.last("/rpc").body();
        assertEquals("SendMessage", forwarded.path("method").asText());
        assertEquals("ROLE_USER", forwarded.path("params").path("message").path("role").asText());
        assertFalse(forwarded.path("params").path("message").path("parts").path(0).has("kind"));
    }

    @Test
    void a1ClientReachesA03AgentInTheAgentsRevision() {
        Http.Reply reply = Http.post(gateway.proxy("/a2a/old"), rpc(1, "SendMessage", HELLO_V1),
                "Authorization", key.bearer(), "A2A-Version", "1.0");

        JsonNode task = reply.json().path("result").path("task");
        assertEquals("TASK_STATE_COMPLETED", task.path("status").path("state").asText(), reply.body());
        assertFalse(task.has("kind"));
        assertEquals("echo: hello", task.path("artifacts").path(0).path("parts").path(0).path("text").asText());
        TestAgent.Seen seen = legacy.last("/rpc");
        assertEquals("message/send", seen.body().path("method").asText());
        assertEquals("0.3", seen.header("A2A-Version"));
        assertEquals("Bearer agent-secret-2", seen.header("Authorization"));
        assertEquals("user", seen.body().path("params").path("message").path("role").asText());
        assertEquals("text", seen.body().path("params").path("message").path("parts").path(0).path("kind").asText());
    }

    @Test
    void a03StreamReachesA1ClientAsStreamResponses() {
        try (Sse stream = Sse.post(gateway.proxy("/a2a/old"), rpc(9, "SendStreamingMessage", HELLO_V1),
                "Authorization", key.bearer(), "A2A-Version", "1.0")) {
            assertEquals("TASK_STATE_WORKING", stream.next().path("result").path("task").path("status").path("state")
                    .asText());
            assertTrue(stream.next().path("result").has("artifactUpdate"));
            JsonNode last = stream.next().path("result").path("statusUpdate");
            assertEquals("TASK_STATE_COMPLETED", last.path("status").path("state").asText());
            assertFalse(last.has("final"));
            assertNull(stream.next());
        }
    }

    @Test
    void theSimpleTaskBodyOfTheReferenceIsAnsweredWithResultPartsText() {
        Http.Reply reply = Http.post(gateway.proxy("/a2a/old"), "{\"id\":\"task-uuid-001\",\"message\":{\"role\":"
                + "\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"Summarise the Q4 report.\"}]}}",
                "Authorization", key.bearer(), "x-a2a-trace-id", "trace-abc-123");

        assertEquals(200, reply.status(), reply.body());
        assertEquals("echo: Summarise the Q4 report.", reply.json().path("result").path("parts").path(0)
                .path("text").asText());
        assertEquals("text", reply.json().path("result").path("parts").path(0).path("type").asText());
        assertEquals("task-uuid-001", reply.json().path("id").asText());
        assertEquals("completed", reply.json().path("result").path("state").asText());
    }

    @Test
    void theRestBindingSendsGetsAndCancelsThroughTheAgentsRestInterface() {
        Http.Reply sent = Http.post(gateway.proxy("/a2a/echo/message:send"), HELLO_V1, "Authorization",
                key.bearer(), "A2A-Version", "1.0");
        assertEquals(200, sent.status(), sent.body());
        String taskId = sent.json().path("task").path("id").asText();
        assertEquals("/rest/message:send", modern.last("/rest").path());

        Http.Reply got = Http.get(gateway.proxy("/a2a/echo/tasks/" + taskId), "Authorization", key.bearer(),
                "A2A-Version", "1.0");
        Http.Reply canceled = Http.post(gateway.proxy("/a2a/echo/tasks/" + taskId + ":cancel"), "{}",
                "Authorization", key.bearer(), "A2A-Version", "1.0");
        Http.Reply missing = Http.get(gateway.proxy("/a2a/echo/tasks/nope"), "Authorization", key.bearer(),
                "A2A-Version", "1.0");

        assertEquals(taskId, got.json().path("id").asText(), got.body());
        assertEquals("TASK_STATE_CANCELED", canceled.json().path("status").path("state").asText(), canceled.body());
        assertEquals(404, missing.status(), missing.body());
        assertEquals("TASK_NOT_FOUND", missing.json().path("error").path("details").path(0).path("reason")
                .asText());
    }

    @Test
    void aRestStreamRelaysStreamResponsesWithoutAnEnvelope() {
        try (Sse stream = Sse.post(gateway.proxy("/a2a/echo/message:stream"), HELLO_V1, "Authorization",
                key.bearer(), "A2A-Version", "1.0")) {
            assertEquals(200, stream.response.statusCode());
            assertEquals("TASK_STATE_WORKING", stream.next().path("task").path("status").path("state").asText());
            assertTrue(stream.next().has("artifactUpdate"));
            assertEquals("TASK_STATE_COMPLETED", stream.next().path("statusUpdate").path("status").path("state")
                    .asText());
            assertNull(stream.next());
        }
        assertEquals("/rest/message:stream", modern.last("/rest").path());
    }

    @Test
    void a03ClientStreamingFromA1AgentGetsKindsAndAFinalFlag() {
        try (Sse stream = Sse.post(gateway.proxy("/a2a/echo"), rpc(3, "message/stream", HELLO_V03),
                "Authorization", key.bearer())) {
            assertEquals("task", stream.next().path("result").path("kind").asText());
            JsonNode artifact = stream.next().path("result");
            assertEquals("artifact-update", artifact.path("kind").asText());
            assertEquals("text", artifact.path("artifact").path("parts").path(0).path("kind").asText());
            JsonNode last = stream.next().path("result");
            assertEquals("status-update", last.path("kind").asText());
            assertEquals("completed", last.path("status").path("state").asText());
            assertTrue(last.path("final").asBoolean());
        }
    }

    @Test
    void aKeyNotAllowedForTheAgentIsRefusedAndTheAgentNeverCalled() {
        TestGateway.Key other = gateway.createKey("{\"name\":\"x\",\"owner_id\":\"o\",\"tags\":{\"team\":\"ops\"}}");
        int before = modern.seen.size();

        Http.Reply reply = Http.post(gateway.proxy("/a2a/echo"), rpc(1, "SendMessage", HELLO_V1),
                "Authorization", other.bearer(), "A2A-Version", "1.0");

        assertEquals(403, reply.status());
        assertEquals(-31403, reply.json().path("error").path("code").asInt());
        assertTrue(reply.json().path("error").path("message").asText().contains("may not call"));
        assertEquals(before, modern.seen.size());
    }

    @Test
    void noKeyIsAJsonRpcErrorAndAnUnknownAgentToo() {
        Http.Reply anonymous = Http.post(gateway.proxy("/a2a/echo"), rpc(1, "SendMessage", HELLO_V1));
        Http.Reply unknown = Http.post(gateway.proxy("/a2a/nobody"), rpc(1, "SendMessage", HELLO_V1),
                "Authorization", key.bearer());

        assertEquals(401, anonymous.status());
        assertEquals(-31401, anonymous.json().path("error").path("code").asInt(), anonymous.body());
        assertEquals(404, unknown.status());
        assertEquals(-31404, unknown.json().path("error").path("code").asInt());
    }

    @Test
    void badRequestsAreJsonRpcErrors() {
        Http.Reply notJson = Http.post(gateway.proxy("/a2a/echo"), "{not json", "Authorization", key.bearer());
        Http.Reply unknownMethod = Http.post(gateway.proxy("/a2a/echo"), rpc(2, "tasks/explode", "{}"),
                "Authorization", key.bearer());
        Http.Reply noParts = Http.post(gateway.proxy("/a2a/echo"), rpc(3, "SendMessage", "{\"message\":{}}"),
                "Authorization", key.bearer());
        Http.Reply push = Http.post(gateway.proxy("/a2a/echo"), rpc(4, "CreateTaskPushNotificationConfig",
                "{\"taskId\":\"t\"}"), "Authorization", key.bearer());
        Http.Reply version = Http.post(gateway.proxy("/a2a/echo"), rpc(5, "SendMessage", HELLO_V1),
                "Authorization", key.bearer(), "A2A-Version", "0.5");

        assertEquals(400, notJson.status());
        assertEquals(-32700, notJson.json().path("error").path("code").asInt(), notJson.body());
        assertEquals(-32601, unknownMethod.json().path("error").path("code").asInt());
        assertEquals(-32602, noParts.json().path("error").path("code").asInt());
        assertEquals(-32003, push.json().path("error").path("code").asInt());
        assertEquals(-32009, version.json().path("error").path("code").asInt());
    }

    @Test
    void aTaskCostsItsPriceAndAnExhaustedBudgetRefusesTheNext() {
        TestGateway.Key budgeted = gateway.createKey("{\"name\":\"b\",\"owner_id\":\"o\",\"budget_usd\":0.015,"
                + "\"tags\":{\"team\":\"research\"}}");
        Http.Reply first = Http.post(gateway.proxy("/a2a/echo"), rpc(1, "SendMessage", HELLO_V1),
                "Authorization", budgeted.bearer(), "A2A-Version", "1.0");
        int before = modern.seen.size();

        Http.Reply refused = Http.post(gateway.proxy("/a2a/echo"), rpc(2, "SendMessage", HELLO_V1),
                "Authorization", budgeted.bearer(), "A2A-Version", "1.0");

        assertEquals(200, first.status(), first.body());
        assertEquals(429, refused.status(), refused.body());
        assertEquals(-31429, refused.json().path("error").path("code").asInt());
        assertTrue(refused.json().path("error").path("message").asText().contains("budget"));
        assertEquals(before, modern.seen.size());
        JsonNode budget = Http.get(gateway.management("/api/enterprise/vkeys/" + budgeted.id() + "/budget"),
                "Authorization", TestGateway.M).json().path("budget");
        assertEquals(0, new BigDecimal("0.01").compareTo(budget.path("spent_usd").decimalValue()), budget.toString());
    }

    @Test
    void tasksAreCountedByAgentMethodAndStatus() {
        Http.post(gateway.proxy("/a2a/old"), rpc(1, "tasks/get", "{\"id\":\"nope\"}"), "Authorization",
                key.bearer());

        String metrics = Http.get(gateway.proxy("/metrics")).body();

        assertTrue(metrics.contains("smartflow_a2a_tasks_total{agent=\"old\",method=\"GetTask\","
                + "status=\"agent_error\"}"), metrics.lines().filter(l -> l.contains("a2a")).toList().toString());
        assertNotNull(metrics);
    }
}
