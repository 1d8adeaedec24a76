package dev.smartflow.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The translation between A2A 1.0 and 0.3, on payloads shaped like the specification's examples. */
class WireTest {
    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) Http.JSON.readTree(text);
    }

    @Test
    void methodNamesOfBothRevisionsAreKnown() {
        assertEquals(Optional.of(Map.entry(Wire.Method.SEND, Wire.Version.V1_0)), Wire.Method.of("SendMessage"));
        assertEquals(Optional.of(Map.entry(Wire.Method.SUBSCRIBE, Wire.Version.V0_3)),
                Wire.Method.of("tasks/resubscribe"));
        assertEquals("message/stream", Wire.Method.STREAM.name(Wire.Version.V0_3));
        assertEquals(Optional.empty(), Wire.Method.of("tasks/send"));
    }

    @Test
    void a03MessageBecomesA1MessageAndBack() throws Exception {
        ObjectNode v03 = json("""
                {"kind": "message", "role": "user", "messageId": "m1", "parts": [
                  {"kind": "text", "text": "Hello"},
                  {"kind": "file", "file": {"uri": "https://example.com/doc.pdf", "mimeType": "application/pdf",
                                             "name": "doc.pdf"}},
                  {"kind": "data", "data": {"key": "value"}}]}
                """);

        ObjectNode v1 = Wire.messageToV1(v03);

        assertEquals(json("""
                {"role": "ROLE_USER", "messageId": "m1", "parts": [
                  {"text": "Hello"},
                  {"url": "https://example.com/doc.pdf", "mediaType": "application/pdf", "filename": "doc.pdf"},
                  {"data": {"key": "value"}}]}
                """), v1);
        assertEquals(v03, Wire.messageToV03(v1));
    }

    @Test
    void a1StreamOfEventsBecomes03ObjectsWithKindsAndTheFinalFlag() throws Exception {
        JsonNode status = Wire.resultFromV1(Wire.Method.STREAM, json("""
                {"statusUpdate": {"taskId": "t", "contextId": "c", "status": {"state": "TASK_STATE_INPUT_REQUIRED"}}}
                """), Wire.Version.V0_3);
        JsonNode working = Wire.resultFromV1(Wire.Method.STREAM, json("""
                {"statusUpdate": {"taskId": "t", "contextId": "c", "status": {"state": "TASK_STATE_WORKING"}}}
                """), Wire.Version.V0_3);
        JsonNode artifact = Wire.resultFromV1(Wire.Method.STREAM, json("""
                {"artifactUpdate": {"taskId": "t", "contextId": "c", "artifact": {"parts": [{"text": "# Report"}]}}}
                """), Wire.Version.V0_3);

        assertEquals(json("""
                {"kind": "status-update", "taskId": "t", "contextId": "c", "status": {"state": "input-required"},
                 "final": true}
                """), status);
        assertFalse(working.path("final").asBoolean());
        assertEquals("artifact-update", artifact.path("kind").asText());
        assertEquals("text", artifact.path("artifact").path("parts").path(0).path("kind").asText());
    }

    @Test
    void a03TaskResultBecomesA1SendResponse() throws Exception {
        JsonNode v1 = Wire.resultToV1(Wire.Method.SEND, json("""
                {"kind": "task", "id": "t", "contextId": "c", "status": {"state": "completed",
                 "message": {"kind": "message", "role": "agent", "parts": [{"kind": "text", "text": "done"}]}},
                 "artifacts": [{"artifactId": "a", "parts": [{"kind": "text", "text": "sunny"}]}]}
                """), Wire.Version.V0_3);

        assertEquals(json("""
                {"task": {"id": "t", "contextId": "c", "status": {"state": "TASK_STATE_COMPLETED",
                 "message": {"role": "ROLE_AGENT", "parts": [{"text": "done"}]}},
                 "artifacts": [{"artifactId": "a", "parts": [{"text": "sunny"}]}]}}
                """), v1);
        assertEquals(Optional.of("TASK_STATE_COMPLETED"), Wire.state(v1));
    }

    @Test
    void statesMapBothWays() {
        assertEquals("TASK_STATE_INPUT_REQUIRED", Wire.stateToV1("input-required"));
        assertEquals("auth-required", Wire.stateToV03("TASK_STATE_AUTH_REQUIRED"));
        assertEquals("TASK_STATE_CANCELED", Wire.stateToV1("TASK_STATE_CANCELED"));
    }
}
