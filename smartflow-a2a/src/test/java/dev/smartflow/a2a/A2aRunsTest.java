package dev.smartflow.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An A2A task sent is one agent hop of the run its {@code x-a2a-trace-id} names: over the run's cap, or once the run
 * is stopped, it is refused as a JSON-RPC error (-31429, the run's code in {@code data.code}) before the agent sees it.
 */
class A2aRunsTest {
    private static final String SEND = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":"
            + "{\"message\":{\"kind\":\"message\",\"role\":\"user\",\"messageId\":\"m1\",\"parts\":[{\"kind\":"
            + "\"text\",\"text\":\"hello\"}]}}}";

    @TempDir
    Path data;
    TestGateway gateway;
    TestAgent agent;
    TestGateway.Key key;

    @BeforeEach
    void start() {
        gateway = new TestGateway(data);
        agent = new TestAgent(false, false);
        gateway.register("{\"id\":\"helper\",\"url\":\"" + agent.url() + "\",\"allowed_keys\":[\"*\"]}");
        key = gateway.createKey("{\"name\":\"agent\",\"owner_id\":\"o\"}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        agent.close();
    }

    private Http.Reply send(String trace, String... headers) {
        String[] all = new String[headers.length + 4];
        all[0] = "Authorization";
        all[1] = key.bearer();
        all[2] = "x-a2a-trace-id";
        all[3] = trace;
        System.arraycopy(headers, 0, all, 4, headers.length);
        return Http.post(gateway.proxy("/a2a/helper"), SEND, all);
    }

    private long sends() {
        return agent.seen.stream().filter(s -> s.body() != null
                && s.body().path("method").asText().equals("message/send")).count();
    }

    @Test
    void tasksOverTheRunsAgentHopCapAreRefusedBeforeTheAgentSeesThem() {
        assertEquals(200, send("run-hops", "x-smartflow-run-max-agent-hops", "1").status());

        Http.Reply refused = send("run-hops", "x-smartflow-run-max-agent-hops", "1");

        JsonNode error = refused.json().path("error");
        assertEquals(-31429, error.path("code").asInt(), refused.body());
        assertEquals("run_step_limit", error.path("data").path("code").asText());
        assertEquals(1, sends());
        assertEquals("run-hops", refused.header("x-a2a-trace-id").orElseThrow());
    }

    @Test
    void aStoppedRunsTasksAreRefused() {
        assertEquals(200, send("run-stop").status());
        assertEquals(200, Http.post(gateway.management("/api/traces/run-stop/stop"), "", "Authorization",
                TestGateway.M).status());

        JsonNode error = send("run-stop").json().path("error");

        assertEquals(-31429, error.path("code").asInt());
        assertEquals("run_stopped", error.path("data").path("code").asText());
        assertEquals(1, sends());
    }

    @Test
    void aTraceIdThatIsNotOneIsAJsonRpcInvalidRequest() {
        Http.Reply reply = send("no spaces allowed");

        assertEquals(400, reply.status(), reply.body());
        assertEquals(-32600, reply.json().path("error").path("code").asInt());
        assertEquals(0, sends());
    }

    @Test
    void aStreamOfAStoppedRunEndsWithAnA2aErrorEvent() {
        agent.holdStreams = true;
        String stream = SEND.replace("message/send", "message/stream");
        try (Sse events = Sse.post(gateway.proxy("/a2a/helper"), stream, "Authorization", key.bearer(),
                "x-a2a-trace-id", "run-stream")) {
            // the task working and its artifact came through; the agent holds its last event
            assertEquals("working", events.next().path("result").path("status").path("state").asText());
            events.next();

            assertEquals(200, Http.post(gateway.management("/api/traces/run-stream/stop"), "", "Authorization",
                    TestGateway.M).status());
            agent.release.countDown();

            JsonNode last = events.next();
            assertEquals(1, last.path("id").asInt(), last.toString());
            assertEquals(-31429, last.path("error").path("code").asInt(), last.toString());
            assertEquals("run_stopped", last.path("error").path("data").path("code").asText());
            assertEquals(null, events.next());
        }
    }
}
