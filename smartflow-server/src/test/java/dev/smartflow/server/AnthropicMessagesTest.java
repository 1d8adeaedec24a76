package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Anthropic's Messages API served natively through the real server: bytes, events and errors in Anthropic's shape. */
class AnthropicMessagesTest {
    private static final String MESSAGE = """
            {"model":"claude-sonnet-4-5",  "max_tokens":64,"messages":[{"role":"user","content":"Say hello"}],\
            "metadata":{"user_id":"u-1"}}""";
    private static final String BETAS = "context-1m-2025-08-07,fine-grained-tool-streaming-2025-05-14";

    @TempDir
    Path data;
    Upstream upstream;
    Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new Upstream();
        gateway = Gateway.withAnthropic(upstream, data);
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void messageIsForwardedUntouchedWithTheServersKeyAndAnsweredAsIs() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"), MESSAGE,
                "x-api-key", Gateway.MASTER, "anthropic-version", "2023-06-01", "anthropic-beta", BETAS)) {
            assertEquals(200, response.code());
            assertEquals("anthropic", response.header("x-smartflow-provider"));
            assertEquals("claude-sonnet-4-5", response.header("x-smartflow-model"));
            assertTrue(response.header("content-type").startsWith("application/json"));
            assertEquals(Upstream.MESSAGE, response.body().string());
        }
        RecordedRequest sent = upstream.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("/v1/messages", sent.getUrl().encodedPath());
        assertEquals(Gateway.ANTHROPIC_KEY, sent.getHeaders().get("x-api-key"));
        assertEquals("2023-06-01", sent.getHeaders().get("anthropic-version"));
        assertEquals(BETAS, sent.getHeaders().get("anthropic-beta"));
        assertNull(sent.getHeaders().get("authorization"));
        assertEquals(MESSAGE, sent.getBody().utf8());
    }

    @Test
    void streamIsRelayedEventByEventWithItsNamesAndNoDone() throws Exception {
        String body = MESSAGE.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"");
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"), body,
                "authorization", "Bearer " + Gateway.MASTER, "anthropic-version", "2023-06-01")) {
            assertEquals(200, response.code());
            assertTrue(response.header("content-type").startsWith("text/event-stream"));
            String text = response.body().string();
            assertEquals(Upstream.MESSAGE_STREAM, text);
            assertFalse(text.contains("[DONE]"));
        }
    }

    @Test
    void cursorRouteStripsTheContextWindowSuffix() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/cursor/v1/messages"),
                MESSAGE.replace("claude-sonnet-4-5", "claude-sonnet-4-5[1m]"), "x-api-key", Gateway.MASTER)) {
            assertEquals(200, response.code());
        }
        RecordedRequest sent = upstream.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("claude-sonnet-4-5", Gateway.JSON.readTree(sent.getBody().utf8()).path("model").asText());
        assertEquals("2023-06-01", sent.getHeaders().get("anthropic-version"), "the default version");
    }

    @Test
    void missingKeyIsRejectedInAnthropicsShape() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"), MESSAGE)) {
            assertEquals(401, response.code());
            JsonNode error = Gateway.json(response);
            assertEquals("error", error.path("type").asText());
            assertEquals("authentication_error", error.at("/error/type").asText());
            assertFalse(error.at("/error/message").asText().isEmpty());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void badRequestIsRejectedInAnthropicsShape() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"),
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5}", "x-api-key", Gateway.MASTER)) {
            assertEquals(400, response.code());
            JsonNode error = Gateway.json(response);
            assertEquals("invalid_request_error", error.at("/error/type").asText());
            assertTrue(error.at("/error/message").asText().contains("messages"));
        }
    }

    @Test
    void overloadedUpstreamIsA502InAnthropicsShapeWithoutTheKey() throws Exception {
        upstream.answer("/v1/messages", Upstream.json(529,
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"), MESSAGE,
                "x-api-key", Gateway.MASTER)) {
            assertEquals(502, response.code());
            JsonNode error = Gateway.json(response);
            assertEquals("error", error.path("type").asText());
            assertEquals("overloaded_error", error.at("/error/type").asText());
            assertTrue(error.at("/error/message").asText().contains("Overloaded"));
        }
        upstream.answer("/v1/messages", Upstream.json(401, "{\"type\":\"error\",\"error\":{\"type\":"
                + "\"authentication_error\",\"message\":\"invalid x-api-key " + Gateway.ANTHROPIC_KEY + "\"}}"));
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"), MESSAGE,
                "x-api-key", Gateway.MASTER)) {
            assertEquals(401, response.code());
            String body = response.body().string();
            assertFalse(body.contains(Gateway.ANTHROPIC_KEY), body);
            assertTrue(body.contains("authentication_error"), body);
        }
    }

    @Test
    void errorEventMidStreamReachesTheCallerAsAnAnthropicErrorEvent() throws Exception {
        String cut = Upstream.MESSAGE_STREAM.substring(0, Upstream.MESSAGE_STREAM.indexOf("event: content_block_stop"));
        upstream.answer("/v1/messages", new MockResponse.Builder().addHeader("content-type", "text/event-stream")
                .body(cut + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                        + "\"message\":\"Overloaded\"}}\n\n").build());
        String body = MESSAGE.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"");
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"), body,
                "x-api-key", Gateway.MASTER)) {
            assertEquals(200, response.code());
            String text = response.body().string();
            assertTrue(text.startsWith(cut), text);
            String last = text.substring(cut.length());
            assertTrue(last.startsWith("event: error\ndata: {\"type\":\"error\",\"error\":"
                    + "{\"type\":\"overloaded_error\""), last);
            assertFalse(text.contains("[DONE]"));
        }
    }

    @Test
    void claudeModelsServeTheOpenAiSurfaceByTranslation() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"),
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}",
                "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, response.code());
            assertEquals("anthropic", response.header("x-smartflow-provider"));
            JsonNode body = Gateway.json(response);
            assertEquals("chat.completion", body.path("object").asText());
            assertEquals("Hello from Claude", body.at("/choices/0/message/content").asText());
        }
        JsonNode sent = Gateway.JSON.readTree(upstream.server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
        assertEquals(4096, sent.path("max_tokens").asInt());
        assertEquals("text", sent.at("/messages/0/content/0/type").asText());
    }

    @Test
    void otherModelsServeTheMessagesSurfaceByTranslation() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"),
                MESSAGE.replace("claude-sonnet-4-5", "gpt-4o-mini"), "x-api-key", Gateway.MASTER)) {
            assertEquals(200, response.code());
            assertEquals("openai", response.header("x-smartflow-provider"));
            JsonNode message = Gateway.json(response);
            assertEquals("message", message.path("type").asText());
            assertEquals("Hello from upstream", message.at("/content/0/text").asText());
            assertEquals("end_turn", message.path("stop_reason").asText());
        }
        RecordedRequest sent = upstream.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("/v1/chat/completions", sent.getUrl().encodedPath());
        assertEquals("Bearer " + Gateway.UPSTREAM_KEY, sent.getHeaders().get("authorization"));
    }

    @Test
    void costIsPricedFromAnthropicsUsageShapeAsFromOpenAis() throws Exception {
        // native: 9 input, 4 output on claude-sonnet-4-5 at $3/$15 per 1M = 27 + 60 = 87 micro-USD
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"), MESSAGE,
                "x-api-key", Gateway.MASTER)) {
            assertEquals("0.000087", response.header("x-smartflow-cost-usd"));
        }
        // translated to the OpenAI surface: the same call, the same cost
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"),
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}",
                "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals("0.000087", response.header("x-smartflow-cost-usd"));
        }
        // the Messages surface served by gpt-4o-mini: 9/3 at $0.15/$0.60 = 3.15 -> 3 micro-USD
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"),
                MESSAGE.replace("claude-sonnet-4-5", "gpt-4o-mini"), "x-api-key", Gateway.MASTER)) {
            assertEquals("0.000003", response.header("x-smartflow-cost-usd"));
            assertEquals("priced", response.header("x-smartflow-cost-status"));
        }
    }
}
