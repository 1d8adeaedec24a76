package dev.smartflow.providers.vertex;

import static dev.smartflow.providers.WireFixtures.answer;
import static dev.smartflow.providers.WireFixtures.exchange;
import static dev.smartflow.providers.WireFixtures.json;
import static dev.smartflow.providers.WireFixtures.sse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Vertex AI adapter against a fake Vertex: Gemini's and Claude's wire formats under Vertex's URLs, and the OAuth
 * token exchange of a service account served by the same test server.
 */
@Timeout(20)
final class VertexProviderTest {
    private static final String CHAT = """
            {"model":"vertex_ai/x","messages":[{"role":"system","content":"Be brief."},\
            {"role":"user","content":"Say hello"}],"max_tokens":256}""";
    private static final String STREAM_CHAT = CHAT.replace("\"max_tokens\"", "\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"max_tokens\"");
    private static final String GEMINI_PATH = "/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/";
    private static final String CLAUDE_PATH =
            "/v1/projects/acme-prod/locations/europe-west4/publishers/anthropic/models/";
    private static final String API_KEY = "AQ.Ab8RN6Lq-vertex-express-key-0123456789";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final HttpTransport transport = HttpTransport.create();
    private final ServiceAccounts account = new ServiceAccounts();
    @TempDir
    Path dir;

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private Map<String, String> serviceAccountEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("GOOGLE_APPLICATION_CREDENTIALS", account.keyFile(dir, server.url("/token").toString()).toString());
        env.put("VERTEXAI_LOCATION", "europe-west4");
        return env;
    }

    private VertexProvider vertex(Map<String, String> env) {
        return new VertexProvider(ProviderSettings.of("vertex_ai").withApiBase(server.url("/").toString()), env,
                transport);
    }

    private VertexProvider withServiceAccount() {
        return vertex(serviceAccountEnvironment());
    }

    private static String token(String value, int expiresIn) {
        return "{\"access_token\":\"" + value + "\",\"expires_in\":" + expiresIn + ",\"token_type\":\"Bearer\"}";
    }

    private static Map<String, String> form(RecordedRequest request) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : request.getBody().utf8().split("&")) {
            int eq = pair.indexOf('=');
            fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }

    private static List<JsonNode> chunks(Response response) {
        return WireFixtures.readAll(assertInstanceOf(Response.Streamed.class, response).chunks()).stream()
                .map(chunk -> chunk.data().json()).toList();
    }

    // the service account and its token

    @Test
    void aServiceAccountsSignedAssertionIsExchangedForTheBearerTokenGeminiCallsCarry() throws Exception {
        server.enqueue(answer(200, token("ya29.a0AfB_first-token", 3600)));
        server.enqueue(answer(200, WireFixtures.text("gemini", "generate-content.json")));

        Response response = withServiceAccount().call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash");

        RecordedRequest exchangeRequest = server.takeRequest();
        assertEquals("/token", exchangeRequest.getTarget());
        Map<String, String> fields = form(exchangeRequest);
        assertEquals("urn:ietf:params:oauth:grant-type:jwt-bearer", fields.get("grant_type"));
        JsonNode claims = account.verifiedClaims(fields.get("assertion"));
        assertEquals(ServiceAccounts.EMAIL, claims.path("iss").asText());
        // Google's token audience, whichever endpoint the key file names for the exchange
        assertEquals("https://oauth2.googleapis.com/token", claims.path("aud").asText());
        assertEquals(VertexCredentials.SCOPE, claims.path("scope").asText());

        RecordedRequest call = server.takeRequest();
        assertEquals(GEMINI_PATH + "gemini-2.5-flash:generateContent", call.getTarget());
        assertEquals("Bearer ya29.a0AfB_first-token", call.getHeaders().get("Authorization"));
        assertNull(call.getHeaders().get("x-goog-api-key"));
        assertEquals(json("""
                {"contents":[{"role":"user","parts":[{"text":"Say hello"}]}],\
                "systemInstruction":{"parts":[{"text":"Be brief."}]},"generationConfig":{"maxOutputTokens":256}}"""),
                json(call.getBody().utf8()));
        JsonNode body = ((Response.Complete) response).body().json();
        assertEquals("Hello from Gemini", body.path("choices").path(0).path("message").path("content").asText());
    }

    @Test
    void theTokenIsCachedAcrossCalls() throws Exception {
        server.enqueue(answer(200, token("ya29.a0AfB_cached", 3600)));
        server.enqueue(answer(200, WireFixtures.text("gemini", "generate-content.json")));
        server.enqueue(answer(200, WireFixtures.text("gemini", "generate-content.json")));
        VertexProvider vertex = withServiceAccount();

        vertex.call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash");
        vertex.call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash");

        assertEquals("/token", server.takeRequest().getTarget());
        assertEquals("Bearer ya29.a0AfB_cached", server.takeRequest().getHeaders().get("Authorization"));
        RecordedRequest second = server.takeRequest();
        assertTrue(second.getTarget().startsWith(GEMINI_PATH), "no second exchange: " + second.getTarget());
        assertEquals("Bearer ya29.a0AfB_cached", second.getHeaders().get("Authorization"));
        assertEquals(3, server.getRequestCount());
    }

    @Test
    void aTokenAboutToExpireIsExchangedAgainBeforeItIsUsed() throws Exception {
        // a minute left is inside the library's refresh margin: the next call must not go out with it
        server.enqueue(answer(200, token("ya29.a0AfB_short-lived", 60)));
        server.enqueue(answer(200, WireFixtures.text("gemini", "generate-content.json")));
        server.enqueue(answer(200, token("ya29.a0AfB_renewed", 3600)));
        server.enqueue(answer(200, WireFixtures.text("gemini", "generate-content.json")));
        VertexProvider vertex = withServiceAccount();

        vertex.call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash");
        vertex.call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash");

        assertEquals("/token", server.takeRequest().getTarget());
        assertEquals("Bearer ya29.a0AfB_short-lived", server.takeRequest().getHeaders().get("Authorization"));
        assertEquals("/token", server.takeRequest().getTarget());
        assertEquals("Bearer ya29.a0AfB_renewed", server.takeRequest().getHeaders().get("Authorization"));
    }

    @Test
    void aRefusedTokenExchangeIsAnUpstreamFailureThatQuotesNothing() {
        server.enqueue(answer(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature."
                + " ya29.leaked-token-value\"}"));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> withServiceAccount().call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash"));

        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("cannot obtain an access token"), failure.getMessage());
        assertFalse(failure.getMessage().contains("ya29"), failure.getMessage());
        assertEquals(1, server.getRequestCount(), "no model call without a token");
    }

    @Test
    void theServiceAccountsProjectIsUsedWhenNoneIsSetAndVertexaiProjectWins() throws Exception {
        Map<String, String> env = serviceAccountEnvironment();
        env.put("VERTEXAI_PROJECT", "other-project");
        server.enqueue(answer(200, token("ya29.a0AfB_x", 3600)));
        server.enqueue(answer(200, WireFixtures.text("gemini", "generate-content.json")));

        vertex(env).call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash");

        server.takeRequest();
        assertEquals("/v1/projects/other-project/locations/europe-west4/publishers/google/models/"
                + "gemini-2.5-flash:generateContent", server.takeRequest().getTarget());
    }

    // Gemini on Vertex

    @Test
    void geminiStreamsThroughStreamGenerateContent() throws Exception {
        server.enqueue(answer(200, token("ya29.a0AfB_stream", 3600)));
        server.enqueue(sse(WireFixtures.text("gemini", "text-stream.sse")));

        List<JsonNode> chunks = chunks(withServiceAccount().call(exchange(Operation.CHAT, STREAM_CHAT),
                "gemini-2.5-flash"));

        server.takeRequest();
        assertEquals(GEMINI_PATH + "gemini-2.5-flash:streamGenerateContent?alt=sse", server.takeRequest().getTarget());
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.path("choices").path(0).path("delta").path("content").asText("")));
        assertEquals("Hello there!", text.toString());
        assertEquals(15, chunks.getLast().path("usage").path("total_tokens").asLong());
    }

    @Test
    void anApiKeyGoesInItsHeaderAndWithoutAProjectUsesExpressMode() throws Exception {
        server.enqueue(answer(200, WireFixtures.text("gemini", "generate-content.json")));
        VertexProvider express = new VertexProvider(ProviderSettings.of("vertex_ai").withApiKey(API_KEY)
                .withApiBase(server.url("/").toString()), Map.of(), transport);

        express.call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v1/publishers/google/models/gemini-2.5-flash:generateContent", sent.getTarget());
        assertEquals(API_KEY, sent.getHeaders().get("x-goog-api-key"));
        assertNull(sent.getHeaders().get("Authorization"));
        assertTrue(express.available());
    }

    @Test
    void googleErrorsKeepTheirStatusAndLoseTheKey() {
        server.enqueue(answer(429, "{\"error\":{\"code\":429,\"message\":\"Quota exceeded for key " + API_KEY
                + "\",\"status\":\"RESOURCE_EXHAUSTED\"}}"));
        VertexProvider keyed = new VertexProvider(ProviderSettings.of("vertex_ai").withApiKey(API_KEY)
                .withApiBase(server.url("/").toString()), Map.of("VERTEXAI_PROJECT", "acme-prod"), transport);

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> keyed.call(exchange(Operation.CHAT, CHAT), "gemini-2.5-pro"));

        assertEquals(429, failure.status());
        assertEquals("RESOURCE_EXHAUSTED", failure.code().orElseThrow());
        assertFalse(failure.getMessage().contains(API_KEY), failure.getMessage());
    }

    // Claude on Vertex

    @Test
    void claudeGoesToRawPredictWithTheVertexVersionAndNoModelInTheBody() throws Exception {
        server.enqueue(answer(200, token("ya29.a0AfB_claude", 3600)));
        server.enqueue(answer(200, WireFixtures.text("anthropic", "message.json")));

        Response response = withServiceAccount().call(exchange(Operation.CHAT, CHAT), "claude-sonnet-4-5@20250929");

        server.takeRequest();
        RecordedRequest sent = server.takeRequest();
        assertEquals(CLAUDE_PATH + "claude-sonnet-4-5@20250929:rawPredict", sent.getTarget());
        assertEquals("Bearer ya29.a0AfB_claude", sent.getHeaders().get("Authorization"));
        assertNull(sent.getHeaders().get("x-api-key"));
        assertNull(sent.getHeaders().get("anthropic-version"), "Vertex takes the version in the body");
        assertEquals(json("""
                {"max_tokens":256,"messages":[{"role":"user","content":[{"type":"text","text":"Say hello"}]}],\
                "system":"Be brief.","anthropic_version":"vertex-2023-10-16"}"""), json(sent.getBody().utf8()));
        JsonNode body = ((Response.Complete) response).body().json();
        assertEquals("Hello from Claude", body.path("choices").path(0).path("message").path("content").asText());
        assertEquals(117, body.path("usage").path("prompt_tokens").asLong());
    }

    @Test
    void claudeStreamsThroughStreamRawPredict() throws Exception {
        server.enqueue(answer(200, token("ya29.a0AfB_claude", 3600)));
        server.enqueue(sse(WireFixtures.text("anthropic", "text-stream.sse")));

        List<JsonNode> chunks = chunks(withServiceAccount().call(exchange(Operation.CHAT, STREAM_CHAT),
                "claude-haiku-4-5@20251001"));

        server.takeRequest();
        RecordedRequest sent = server.takeRequest();
        assertEquals(CLAUDE_PATH + "claude-haiku-4-5@20251001:streamRawPredict", sent.getTarget());
        assertTrue(json(sent.getBody().utf8()).path("stream").asBoolean());
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.path("choices").path(0).path("delta").path("content").asText("")));
        assertEquals("Hello!", text.toString());
        assertEquals(50, chunks.getLast().path("usage").path("total_tokens").asLong());
    }

    @Test
    void nativeMessagesCallsToClaudePassThroughWithTheVertexBody() throws Exception {
        server.enqueue(answer(200, token("ya29.a0AfB_claude", 3600)));
        server.enqueue(answer(200, WireFixtures.text("anthropic", "message.json")));
        String messages = """
                {"model":"claude-sonnet-4-5@20250929","max_tokens":100,\
                "messages":[{"role":"user","content":"Hi"}]}""";

        Response response = withServiceAccount().call(exchange(Operation.ANTHROPIC_MESSAGES, messages,
                "anthropic-beta", "prompt-caching-2024-07-31"), "claude-sonnet-4-5@20250929");

        server.takeRequest();
        RecordedRequest sent = server.takeRequest();
        assertEquals(json("""
                {"max_tokens":100,"messages":[{"role":"user","content":"Hi"}],\
                "anthropic_version":"vertex-2023-10-16"}"""), json(sent.getBody().utf8()));
        assertEquals("prompt-caching-2024-07-31", sent.getHeaders().get("anthropic-beta"));
        assertEquals("message", ((Response.Complete) response).body().json().path("type").asText());
    }

    @Test
    void claudeWithoutAProjectIsA400NamingTheVariable() {
        VertexProvider express = new VertexProvider(ProviderSettings.of("vertex_ai").withApiKey(API_KEY)
                .withApiBase(server.url("/").toString()), Map.of(), transport);

        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> express.call(exchange(Operation.CHAT, CHAT), "claude-sonnet-4-5@20250929"));

        assertTrue(error.getMessage().contains("VERTEXAI_PROJECT"), error.getMessage());
        assertEquals(0, server.getRequestCount());
    }

    // configuration

    @Test
    void withoutCredentialsTheAdapterIsUnavailableAndSaysWhatToSet() {
        VertexProvider bare = vertex(Map.of("VERTEXAI_PROJECT", "acme-prod"));
        VertexProvider unreadable = vertex(Map.of("GOOGLE_APPLICATION_CREDENTIALS", dir.resolve("nope.json")
                .toString(), "VERTEXAI_PROJECT", "acme-prod"));

        assertFalse(bare.available());
        assertFalse(unreadable.available(), "a stale credentials path leaves Vertex off, not the gateway down");
        assertTrue(bare.missing().orElseThrow().contains("VERTEXAI_API_KEY"));
        assertThrows(InvalidRequest.class, () -> bare.call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash"));
    }

    @Test
    void theDefaultBaseIsTheLocationsHost() {
        VertexProvider regional = new VertexProvider(ProviderSettings.of("vertex_ai").withApiKey(API_KEY),
                Map.of("VERTEXAI_LOCATION", "europe-west4"), transport);
        VertexProvider global = new VertexProvider(ProviderSettings.of("vertex_ai").withApiKey(API_KEY),
                Map.of("VERTEXAI_LOCATION", "global"), transport);

        assertEquals("https://europe-west4-aiplatform.googleapis.com/", regional.apiBase());
        assertEquals("https://aiplatform.googleapis.com/", global.apiBase());
        assertFalse(regional.toString().contains(API_KEY));
    }
}
