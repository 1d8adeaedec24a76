package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.compliance.redact.PseudonymKeys;
import dev.smartflow.compliance.redact.Pseudonymizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compliance stage end to end: a real gateway with the compliance module found on the class path, a fake
 * upstream speaking OpenAI's and Anthropic's wire formats, and what each side saw.
 */
class ComplianceProxyTest {
    private static final String KEY = "a pseudonym key for the tests, long enough";

    @TempDir
    Path dir;

    private Gateway gateway(Upstream upstream, String section) throws IOException {
        Path config = dir.resolve("smartflow.yaml");
        Files.writeString(config, "compliance:\n  pseudonym_key: \"" + KEY + "\"\n" + section);
        return new Gateway(upstream, dir.resolve("data"), Optional.of(config),
                Map.of("ANTHROPIC_API_KEY", Gateway.ANTHROPIC_KEY, "ANTHROPIC_API_BASE", upstream.anthropicBase()));
    }

    private static String chat(String content) {
        ObjectNode body = Gateway.JSON.createObjectNode().put("model", "gpt-4o-mini");
        body.putArray("messages").addObject().put("role", "user").put("content", content);
        return body.toString();
    }

    private static Response post(Gateway gateway, String path, String json, String token, String id)
            throws IOException {
        return gateway.post(gateway.proxy(path), json, "authorization", "Bearer " + token, "x-request-id", id);
    }

    private static String placeholder(String tenant, EntityType type, String value) {
        return new Pseudonymizer(PseudonymKeys.fromConfiguredKey(KEY), tenant).placeholder(type, value);
    }

    private static String sent(Upstream upstream) throws InterruptedException {
        RecordedRequest request = upstream.server.takeRequest(5, TimeUnit.SECONDS);
        assertTrue(request != null, "the upstream was called");
        return request.getBody().utf8();
    }

    @Test
    void aCardUnderPciDssStrictIsBlockedBeforeItLeavesTheGateway() throws Exception {
        try (Upstream upstream = new Upstream();
             Gateway gateway = gateway(upstream, "  default_policy: pci_dss_strict\n")) {
            try (Response answer = post(gateway, "/v1/chat/completions",
                    chat("charge my card 4111 1111 1111 1111 please"), Gateway.MASTER, "block-1")) {
                String body = answer.body().string();
                assertEquals(403, answer.code(), body);
                JsonNode error = Gateway.JSON.readTree(body).path("error");
                assertEquals("compliance_violation", error.path("type").asText());
                assertEquals("compliance_violation", error.path("code").asText());
                assertTrue(error.path("message").asText().contains("credit_card"), body);
                assertFalse(body.contains("4111"), "the value is never echoed");
                assertTrue(Double.parseDouble(answer.header("x-smartflow-compliance-score")) < 0.2);
            }
            assertEquals(0, upstream.server.getRequestCount(), "nothing reached the provider");
            Audits.await(() -> Audits.entries(gateway, "").containsKey("block-1"), "the refusal is audited");
            JsonNode entry = Audits.entries(gateway, "").get("block-1");
            assertEquals(403, entry.path("status").asInt());
            List<String> flags = new ArrayList<>();
            entry.path("compliance_flags").forEach(flag -> flags.add(flag.asText()));
            assertTrue(flags.containsAll(List.of("policy.pci_dss_strict", "financial.credit_card", "action.block")),
                    flags.toString());
        }
    }

    @Test
    void redactedValuesNeverReachTheProviderAndTheAnswerCarriesTheScore() throws Exception {
        try (Upstream upstream = new Upstream(); Gateway gateway = gateway(upstream, "")) {
            try (Response answer = post(gateway, "/v1/chat/completions",
                    chat("My SSN is 123-45-6789, card 4111-1111-1111-1111"), Gateway.MASTER, "redact-1")) {
                assertEquals(200, answer.code());
                assertEquals("Hello from upstream", Gateway.json(answer).path("choices").get(0).path("message")
                        .path("content").asText());
                assertTrue(Double.parseDouble(answer.header("x-smartflow-compliance-score")) < 0.1);
            }
            String sent = sent(upstream);
            assertTrue(sent.contains("My SSN is [SSN], card [CREDIT_CARD]"), sent);
            assertFalse(sent.contains("6789") || sent.contains("4111"), sent);
        }
    }

    @Test
    void aCleanRequestGoesOutUnchangedWithAPerfectScore() throws Exception {
        try (Upstream upstream = new Upstream(); Gateway gateway = gateway(upstream, "")) {
            String request = chat("What is the capital of France?");
            try (Response answer = post(gateway, "/v1/chat/completions", request, Gateway.MASTER, "clean-1")) {
                assertEquals(200, answer.code());
                assertEquals("1.0000", answer.header("x-smartflow-compliance-score"));
            }
            assertTrue(sent(upstream).contains("What is the capital of France?"));
        }
    }

    @Test
    void pseudonymisedValuesGoOutAsPlaceholdersAndComeBackRestored() throws Exception {
        String email = placeholder("master", EntityType.EMAIL, "john@example.com");
        try (Upstream upstream = new Upstream(); Gateway gateway = gateway(upstream, "")) {
            upstream.answer("/v1/chat/completions", Upstream.json(200, Upstream.CHAT.replace("Hello from upstream",
                    "I will write to " + email + " today.")));
            try (Response answer = post(gateway, "/v1/chat/completions",
                    chat("Please email john@example.com about the invoice"), Gateway.MASTER, "pseudo-1")) {
                assertEquals(200, answer.code());
                assertEquals("I will write to john@example.com today.", Gateway.json(answer).path("choices").get(0)
                        .path("message").path("content").asText());
            }
            String sent = sent(upstream);
            assertTrue(sent.contains("Please email " + email + " about the invoice"), sent);
            assertFalse(sent.contains("john@example.com"), sent);
        }
    }

    @Test
    void aValueSplitAcrossStreamChunksIsRedactedAndASplitPlaceholderRestored() throws Exception {
        String email = placeholder("master", EntityType.EMAIL, "ann@example.org");
        String[] pieces = {"Your card ", "4111 1111", " 1111 1111 is on file; I mailed ", email.substring(0, 9),
            email.substring(9), " too."};
        try (Upstream upstream = new Upstream(); Gateway gateway = gateway(upstream, "")) {
            upstream.answer("/v1/chat/completions", Upstream.sse(streamOf(pieces)));
            String request = chat("stream it to ann@example.org").replace("{\"model\"", "{\"stream\":true,\"model\"");
            StringBuilder shown = new StringBuilder();
            try (Response answer = post(gateway, "/v1/chat/completions", request, Gateway.MASTER, "stream-1")) {
                assertEquals(200, answer.code());
                for (String line : answer.body().string().split("\n")) {
                    if (line.startsWith("data: {")) {
                        JsonNode delta = Gateway.JSON.readTree(line.substring(6)).path("choices").path(0)
                                .path("delta");
                        shown.append(delta.path("content").asText(""));
                    }
                }
            }
            assertEquals("Your card [CREDIT_CARD] is on file; I mailed ann@example.org too.", shown.toString());
            Audits.await(() -> Audits.entries(gateway, "").containsKey("stream-1"), "the stream is audited");
            assertTrue(Audits.entries(gateway, "").get("stream-1").path("compliance_flags").toString()
                    .contains("answer.financial.credit_card"));
        }
    }

    @Test
    void toolCallArgumentsAreScannedToo() throws Exception {
        try (Upstream upstream = new Upstream(); Gateway gateway = gateway(upstream, "")) {
            String request = """
                    {"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":"look up"}]},\
                    {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":\
                    {"name":"lookup","arguments":"{\\"ssn\\":\\"212-67-4455\\"}"}}]},\
                    {"role":"tool","tool_call_id":"c1","content":"card 5555 5555 5555 4444"}]}""";
            try (Response answer = post(gateway, "/v1/chat/completions", request, Gateway.MASTER, "tools-1")) {
                assertEquals(200, answer.code());
            }
            String sent = sent(upstream);
            assertTrue(sent.contains("{\\\"ssn\\\":\\\"[SSN]\\\"}"), sent);
            assertTrue(sent.contains("card [CREDIT_CARD]"), sent);
        }
    }

    @Test
    void aKeysTagChoosesItsPolicy() throws Exception {
        try (Upstream upstream = new Upstream(); Gateway gateway = gateway(upstream, "")) {
            String token;
            try (Response created = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"),
                    "{\"name\":\"payments\",\"owner_id\":\"team-pay\",\"tags\":{\"compliance_policy\":"
                            + "\"pci_dss_strict\"}}", "authorization", "Bearer " + Gateway.MASTER)) {
                assertEquals(201, created.code());
                token = Gateway.json(created).path("token").asText();
            }
            String card = chat("card 4111 1111 1111 1111");
            try (Response blocked = post(gateway, "/v1/chat/completions", card, token, "tag-1")) {
                assertEquals(403, blocked.code());
            }
            try (Response redacted = post(gateway, "/v1/chat/completions", card, Gateway.MASTER, "tag-2")) {
                assertEquals(200, redacted.code(), "the master key falls under the default policy");
            }
            assertTrue(sent(upstream).contains("card [CREDIT_CARD]"));
        }
    }

    @Test
    void anthropicNativeBodiesAndEventStreamsAreFiltered() throws Exception {
        String phone = placeholder("master", EntityType.PHONE, "+44 20 7946 0958");
        String stream = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",\
                "model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,\
                "usage":{"input_tokens":9,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"SSN 212-6"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"7-4455, call %s"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},\
                "usage":{"output_tokens":2}}

                event: message_stop
                data: {"type":"message_stop"}

                """.formatted(phone);
        try (Upstream upstream = new Upstream(); Gateway gateway = gateway(upstream, "")) {
            upstream.answer("/v1/messages", new mockwebserver3.MockResponse.Builder()
                    .addHeader("content-type", "text/event-stream").body(stream).build());
            String request = """
                    {"model":"claude-sonnet-4-5","max_tokens":100,"stream":true,\
                    "system":[{"type":"text","text":"Agent mail: ops@example.com"}],\
                    "messages":[{"role":"user","content":[{"type":"text","text":"call +44 20 7946 0958"},\
                    {"type":"tool_result","tool_use_id":"t1","content":"SSN 212-67-4455"}]}]}""";
            StringBuilder shown = new StringBuilder();
            List<String> events = new ArrayList<>();
            try (Response answer = gateway.post(gateway.proxy("/anthropic/v1/messages"), request,
                    "x-api-key", Gateway.MASTER, "anthropic-version", "2023-06-01")) {
                assertEquals(200, answer.code());
                for (String line : answer.body().string().split("\n")) {
                    if (line.startsWith("event: ")) {
                        events.add(line.substring(7));
                    } else if (line.startsWith("data: ")) {
                        JsonNode data = Gateway.JSON.readTree(line.substring(6));
                        shown.append(data.path("delta").path("text").asText(""));
                    }
                }
            }
            assertEquals("SSN [SSN], call +44 20 7946 0958", shown.toString());
            assertEquals("message_stop", events.getLast());
            String sent = sent(upstream);
            assertTrue(sent.contains("call " + phone) && sent.contains("SSN [SSN]"), sent);
            assertFalse(sent.contains("ops@example.com") || sent.contains("7946"), sent);
        }
    }

    @Test
    void withScanningOffNothingChanges() throws Exception {
        try (Upstream upstream = new Upstream(); Gateway gateway = gateway(upstream, "  enabled: false\n")) {
            try (Response answer = post(gateway, "/v1/chat/completions", chat("SSN 212-67-4455"), Gateway.MASTER,
                    "off-1")) {
                assertEquals(200, answer.code());
                assertEquals(null, answer.header("x-smartflow-compliance-score"));
            }
            assertTrue(sent(upstream).contains("SSN 212-67-4455"));
        }
    }

    private static String[] streamOf(String... pieces) {
        List<String> events = new ArrayList<>();
        events.add(chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null"));
        for (String piece : pieces) {
            events.add(chunk("{\"content\":" + Gateway.JSON.valueToTree(piece) + "}", "null"));
        }
        events.add(chunk("{}", "\"stop\""));
        return events.toArray(String[]::new);
    }

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + finish + "}]}";
    }
}
