package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class ProxyServiceTest extends GatewayTest {
    private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String BEARER = "Bearer " + Gateway.MASTER;


    @Test
    void chatIsForwardedAndAnsweredWithSmartflowHeaders() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT,
                "authorization", BEARER, "x-request-id", "my-request-1")) {
            assertEquals(200, response.code());
            assertEquals("openai", response.header("x-smartflow-provider"));
            assertEquals("gpt-4o-mini", response.header("x-smartflow-model"));
            assertEquals("my-request-1", response.header("x-smartflow-request-id"));
            assertTrue(Double.parseDouble(response.header("x-smartflow-latency-ms")) >= 0);
            JsonNode body = Gateway.json(response);
            assertEquals("Hello from upstream", body.at("/choices/0/message/content").asText());
        }
        RecordedRequest sent = upstream.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("Bearer " + Gateway.UPSTREAM_KEY, sent.getHeaders().get("authorization"));
        assertEquals(Gateway.JSON.readTree(CHAT), Gateway.JSON.readTree(sent.getBody().utf8()));
    }

    @Test
    void chatAnswerCarriesItsCostFromTheCatalog() throws Exception {
        // usage 9/3 on gpt-4o-mini at $0.15/$0.60 per 1M: 1.35 + 1.80 = 3.15 micro-USD, rounded once to 3
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "authorization", BEARER)) {
            assertEquals(200, response.code());
            assertEquals("0.000003", response.header("x-smartflow-cost-usd"));
            assertEquals("priced", response.header("x-smartflow-cost-status"));
            assertEquals("openai", response.header("x-smartflow-provider"));
        }
    }

    @Test
    void aModelWithoutAPriceIsFlaggedNotFree() throws Exception {
        upstream.answer("/v1/chat/completions",
                Upstream.json(200, Upstream.CHAT.replace("gpt-4o-mini-2024-07-18", "ft:my-finetune")));
        String body = CHAT.replace("gpt-4o-mini", "openai/ft:my-finetune");
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), body, "authorization", BEARER)) {
            assertEquals(200, response.code());
            assertEquals("unknown", response.header("x-smartflow-cost-usd"));
            assertEquals("unpriced", response.header("x-smartflow-cost-status"));
        }
    }

    @Test
    void aCatalogFileOverridesTheBundledPrice() throws Exception {
        gateway.close();
        Path prices = data.resolve("prices.json");
        Files.writeString(prices, """
                {"version": "test", "models": [{"provider": "openai", "model": "gpt-4o-mini",
                  "input_per_1m": 1.00, "output_per_1m": 2.00}]}""");
        gateway = new Gateway(upstream, data, Map.of("SMARTFLOW_CATALOG_FILE", prices.toString()));
        // 9 * 1.00 + 3 * 2.00 = 15 micro-USD
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "authorization", BEARER)) {
            assertEquals("0.000015", response.header("x-smartflow-cost-usd"));
        }
    }

    @Test
    void aStreamCarriesNoCostHeaderItCannotKnowYet() throws Exception {
        String body = CHAT.replace("}]}", "}],\"stream\":true}");
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), body, "authorization", BEARER)) {
            assertEquals(200, response.code());
            assertNull(response.header("x-smartflow-cost-usd"));
            assertEquals(Upstream.sseText(Upstream.STREAM_WITHOUT_USAGE), response.body().string());
        }
    }

    @Test
    void aStreamIsPricedFromAUsageChunkTheCallerNeverSees() throws Exception {
        // the caller did not ask for usage: the gateway asks the upstream for it, reads it, and keeps it back
        String body = CHAT.replace("}]}", "}],\"stream\":true}");
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), body, "authorization", BEARER)) {
            String text = response.body().string();
            assertEquals(Upstream.sseText(Upstream.STREAM_WITHOUT_USAGE), text);
            assertFalse(text.contains("\"usage\""), text);
        }
        JsonNode sent = Gateway.JSON.readTree(upstream.server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
        assertTrue(sent.at("/stream_options/include_usage").asBoolean(), sent.toString());
    }

    @Test
    void unknownFieldsAndProviderPrefixAreHandledOnTheWayUp() throws Exception {
        String body = "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
                + "\"text\",\"text\":\"hi\"}]}],\"x_custom\":{\"keep\":[1,2]}}";
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), body, "x-api-key",
                Gateway.MASTER)) {
            assertEquals(200, response.code());
            assertEquals("gpt-4o-mini", response.header("x-smartflow-model"));
        }
        JsonNode sent = Gateway.JSON.readTree(upstream.server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
        assertEquals("gpt-4o-mini", sent.path("model").asText());
        assertEquals(2, sent.at("/x_custom/keep").size());
        assertEquals("text", sent.at("/messages/0/content/0/type").asText());
    }

    @Test
    void streamIsRelayedAsServerSentEventsEndingWithDone() throws Exception {
        String body = CHAT.replace("}]}", "}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), body, "authorization", BEARER)) {
            assertEquals(200, response.code());
            assertTrue(response.header("content-type").startsWith("text/event-stream"));
            assertEquals("openai", response.header("x-smartflow-provider"));
            String text = response.body().string();
            assertEquals(Upstream.sseText(Upstream.STREAM), text);
        }
    }

    @Test
    void eachStreamChunkReachesTheCallerBeforeTheUpstreamSendsTheNext() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        upstream.answer("/v1/chat/completions", Upstream.heldStream(release, Upstream.STREAM[0],
                Upstream.STREAM[1], Upstream.STREAM[3]));
        String body = CHAT.replace("}]}", "}],\"stream\":true}");
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), body, "authorization", BEARER)) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(response.body().byteStream(),
                    StandardCharsets.UTF_8));
            assertEquals("data: " + Upstream.STREAM[0], reader.readLine());
            release.countDown();
            List<String> rest = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isEmpty()) {
                    rest.add(line);
                }
            }
            assertEquals(List.of("data: " + Upstream.STREAM[1], "data: " + Upstream.STREAM[3], "data: [DONE]"), rest);
        }
    }

    @Test
    void anUpstreamStreamThatBreaksOffEndsWithAnErrorEventAndNoDone() throws Exception {
        upstream.answer("/v1/chat/completions", new mockwebserver3.MockResponse.Builder()
                .addHeader("content-type", "text/event-stream")
                .body("data: " + Upstream.STREAM[1] + "\n\n")
                .build());
        String body = CHAT.replace("}]}", "}],\"stream\":true}");
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), body, "authorization", BEARER)) {
            assertEquals(200, response.code());
            String[] events = response.body().string().split("\n\n");
            assertEquals(2, events.length, String.join(" | ", events));
            assertEquals("data: " + Upstream.STREAM[1], events[0]);
            JsonNode error = Gateway.JSON.readTree(events[1].substring("data: ".length())).path("error");
            assertEquals("upstream_error", error.path("type").asText(), events[1]);
            assertFalse(events[1].contains("[DONE]"));
        }
    }

    @Test
    void embeddingsAndModelsAreServed() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/embeddings"),
                "{\"model\":\"text-embedding-3-small\",\"input\":\"hello\"}", "authorization", BEARER)) {
            assertEquals(200, response.code());
            // 2 prompt tokens at $0.02 per 1M = 0.04 micro-USD, which rounds to 0: priced, not unknown
            assertEquals("0.000000", response.header("x-smartflow-cost-usd"));
            assertEquals("priced", response.header("x-smartflow-cost-status"));
            assertEquals(0.75, Gateway.json(response).at("/data/0/embedding/2").asDouble());
        }
        try (Response response = gateway.get(gateway.proxy("/v1/models"), "authorization", BEARER)) {
            assertEquals(200, response.code());
            assertTrue(response.header("content-type").startsWith("application/json"), response.header("content-type"));
            JsonNode models = Gateway.json(response);
            assertEquals("list", models.path("object").asText());
            List<String> ids = new ArrayList<>();
            models.path("data").forEach(m -> ids.add(m.path("id").asText()));
            assertTrue(ids.contains("gpt-4o-mini"), ids.toString());
        }
    }

    @Test
    void missingOrWrongKeyIsRejectedWith401AndNothingReachesTheUpstream() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT)) {
            assertError(response, 401, "invalid_request_error", "invalid_api_key");
        }
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT,
                "authorization", "Bearer sk-wrong-key-123")) {
            String body = assertError(response, 401, "invalid_request_error", "invalid_api_key");
            assertFalse(body.contains("sk-wrong-key-123"));
        }
        try (Response response = gateway.get(gateway.proxy("/v1/models"))) {
            assertEquals(401, response.code());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void badInputIsRejectedWith400NamingTheProblem() throws Exception {
        String[][] cases = {
            {"{not json", "not valid JSON"},
            {"[1,2]", "JSON object"},
            {"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "'model'"},
            {"{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "'model'"},
            {"{\"model\":\"gpt-4o\",\"messages\":\"hi\"}", "'messages'"},
            {"{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":\"yes\"}",
                "'stream'"},
            {"{\"model\":\"nosuch/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "nosuch"},
        };
        for (String[] c : cases) {
            try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), c[0],
                    "authorization", BEARER)) {
                String body = assertError(response, 400, "invalid_request_error", null);
                assertTrue(body.contains(c[1]), c[0] + " -> " + body);
                assertNotNull(response.header("x-smartflow-request-id"));
            }
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void upstreamErrorsAreMappedToOpenAiShapedErrors() throws Exception {
        upstream.answer("/v1/chat/completions", Upstream.json(500,
                "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "authorization", BEARER)) {
            String body = assertError(response, 502, null, null);
            assertTrue(body.contains("boom"), body);
        }
        upstream.answer("/v1/chat/completions", Upstream.json(429,
                "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"code\":\"rate_limit_exceeded\"}}"));
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "authorization", BEARER)) {
            assertError(response, 429, "rate_limit_error", "rate_limit_exceeded");
        }
    }

    @Test
    void unknownRoutesGet404InOpenAiShape() throws Exception {
        try (Response response = gateway.get(gateway.proxy("/v1/nothing-here"), "authorization", BEARER)) {
            assertError(response, 404, "invalid_request_error", "not_found");
        }
    }

    @Test
    void healthAndReadinessAnswerWithoutAKey() throws Exception {
        try (Response response = gateway.get(gateway.proxy("/health"))) {
            assertEquals(200, response.code());
            assertEquals("ok", Gateway.json(response).path("status").asText());
        }
        try (Response response = gateway.get(gateway.proxy("/health/ready"))) {
            assertEquals(200, response.code());
            assertEquals("ready", Gateway.json(response).path("status").asText());
        }
    }

    @Test
    void managementNeedsTheMasterKeyAndNeverListsProviderKeys() throws Exception {
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, "/api/providers"))) {
            assertError(response, 401, "invalid_request_error", "invalid_api_key");
        }
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, "/api/providers"),
                "authorization", BEARER)) {
            assertEquals(200, response.code());
            String body = response.body().string();
            assertTrue(body.contains("\"openai\""), body);
            assertFalse(body.contains(Gateway.UPSTREAM_KEY), body);
        }
    }

    private static String assertError(Response response, int status, String type, String code) throws Exception {
        assertEquals(status, response.code());
        assertTrue(response.header("content-type").startsWith("application/json"));
        String text = response.body().string();
        JsonNode error = Gateway.JSON.readTree(text).path("error");
        assertTrue(error.path("message").isTextual(), text);
        assertFalse(error.path("message").asText().isBlank(), text);
        if (type != null) {
            assertEquals(type, error.path("type").asText(), text);
        }
        if (code != null) {
            assertEquals(code, error.path("code").asText(), text);
        }
        return text;
    }
}
