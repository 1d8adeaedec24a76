package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The routing routes of the management API: chains, status, forcing a provider, provider health. */
class RoutingApiTest {
    static final String CHAINS = "/api/routing/fallback-chains";
    static final String FORCE = "/api/routing/force-provider";
    static final String MASTER = "Bearer " + Gateway.MASTER;
    static final String GROQ_KEY = "gsk-routing-test-0123456789";
    static final String EU_KEY = "sk-eu-second-account-0123456789";
    private static final String CHAIN = """
            {"name":"production","targets":[{"provider":"openai","model":"gpt-4o","weight":2},
             {"provider":"groq","model":"llama-3.3-70b-versatile"}],
             "strategy":"priority","retry_on":[429,"500"],"max_retries":1,"backoff_ms":100}""";

    @TempDir
    Path data;
    Upstream upstream;
    Gateway gateway;

    /** openai, groq and gemini configured, and a second key in {@code OPENAI_EU_KEY}; anthropic has no key. */
    static Map<String, String> environment(Upstream upstream) {
        Map<String, String> env = new HashMap<>();
        env.put("GROQ_API_KEY", GROQ_KEY);
        env.put("GROQ_API_BASE", upstream.base());
        env.put("GEMINI_API_KEY", "AIza-routing-test-0123456789");
        env.put("GEMINI_API_BASE", upstream.anthropicBase());
        env.put("OPENAI_EU_KEY", EU_KEY);
        return env;
    }

    @BeforeEach
    void start() throws IOException {
        upstream = new Upstream();
        gateway = new Gateway(upstream, data, environment(upstream));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private Response call(String method, String path, String json) throws IOException {
        return gateway.send(method, gateway.url(Service.MANAGEMENT, path), json, "authorization", MASTER);
    }

    private JsonNode ok(String method, String path, String json, int status) throws IOException {
        try (Response response = call(method, path, json)) {
            String body = response.body().string();
            assertEquals(status, response.code(), body);
            return Gateway.JSON.readTree(body);
        }
    }

    private JsonNode error(String method, String path, String json, int status) throws IOException {
        JsonNode error = ok(method, path, json, status).path("error");
        assertTrue(error.has("message") && error.has("type") && error.has("param") && error.has("code"),
                error.toString());
        return error;
    }

    @Test
    void chainIsCreatedListedReadReplacedAndDeleted() throws Exception {
        // when
        JsonNode created = ok("POST", CHAINS, CHAIN, 201);

        // then: answered in the shape it is written, statuses as strings
        assertEquals("production", created.path("name").asText());
        assertEquals(List.of("429", "500"), StreamSupport.stream(created.path("retry_on").spliterator(), false)
                .map(JsonNode::textValue).toList());
        assertEquals(2, created.path("targets").get(0).path("weight").asInt());
        assertEquals("priority", created.path("strategy").asText());
        assertEquals(1, created.path("max_retries").asInt());
        assertEquals(100, created.path("backoff_ms").asInt());

        assertEquals("chain_exists", error("POST", CHAINS, CHAIN, 409).path("code").asText());

        JsonNode list = ok("GET", CHAINS, null, 200);
        assertTrue(list.path("success").asBoolean());
        assertEquals(1, list.path("total").asInt());
        assertEquals(created, list.path("chains").get(0));
        assertEquals(created, ok("GET", CHAINS + "/production", null, 200));

        JsonNode replaced = ok("PUT", CHAINS + "/production", CHAIN.replace("\"priority\"", "\"round_robin\""), 200);
        assertEquals("round_robin", replaced.path("strategy").asText());
        assertEquals("round_robin", ok("GET", CHAINS + "/production", null, 200).path("strategy").asText());
        JsonNode added = ok("PUT", CHAINS + "/staging",
                "{\"targets\":[{\"provider\":\"groq\",\"model\":\"llama-3.1-8b-instant\"}]}", 201);
        assertEquals("staging", added.path("name").asText());
        assertEquals(2, ok("GET", CHAINS, null, 200).path("total").asInt());

        JsonNode deleted = ok("DELETE", CHAINS + "/production", null, 200);
        assertTrue(deleted.path("success").asBoolean());
        assertEquals("chain_not_found", error("GET", CHAINS + "/production", null, 404).path("code").asText());
        assertEquals("chain_not_found", error("DELETE", CHAINS + "/production", null, 404).path("code").asText());
        assertEquals("chain_not_found", error("GET", CHAINS + "/nosuch", null, 404).path("code").asText());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no targets | {\"name\":\"c\"} | targets",
            "unknown strategy | {\"name\":\"c\",\"targets\":[{\"provider\":\"groq\",\"model\":\"m\"}],"
                    + "\"strategy\":\"fastest\"} | strategy",
            "unknown field | {\"name\":\"c\",\"targets\":[{\"provider\":\"groq\",\"model\":\"m\"}],\"retries\":2}"
                    + " | retries",
            "unknown provider | {\"name\":\"c\",\"targets\":[{\"provider\":\"groq\",\"model\":\"m\"},"
                    + "{\"provider\":\"acme\",\"model\":\"m\"}]} | targets[1].provider",
            "provider without a key | {\"name\":\"c\",\"targets\":[{\"provider\":\"anthropic\","
                    + "\"model\":\"claude-sonnet-4-5\"}]} | targets[0].provider",
            "unset key variable | {\"name\":\"c\",\"targets\":[{\"provider\":\"openai\",\"model\":\"gpt-4o\","
                    + "\"api_key_env\":\"OPENAI_NOWHERE_KEY\"}]} | targets[0].api_key_env",
            "credentials in the base | {\"name\":\"c\",\"targets\":[{\"provider\":\"openai\",\"model\":\"gpt-4o\","
                    + "\"api_base\":\"https://user:pw@eu.example/v1\"}]} | targets[0].api_base",
            "bad name | {\"name\":\"no spaces\",\"targets\":[{\"provider\":\"groq\",\"model\":\"m\"}]} | name",
            "max_retries too high | {\"name\":\"c\",\"targets\":[{\"provider\":\"groq\",\"model\":\"m\"}],"
                    + "\"max_retries\":11} | max_retries"})
    void badChainIsA400NamingTheFieldAndNothingIsStored(String why, String body, String param) throws Exception {
        JsonNode error = error("POST", CHAINS, body, 400);

        assertEquals(param, error.path("param").asText(), error.toString());
        assertEquals("invalid_request_error", error.path("type").asText());
        assertFalse(error.path("message").asText().contains("pw"), "never echoes a credential");
        assertEquals(0, ok("GET", CHAINS, null, 200).path("total").asInt());
    }

    @Test
    void unsetKeyVariableIsNamedAndSameOnPut() throws Exception {
        JsonNode error = error("PUT", CHAINS + "/c", "{\"targets\":[{\"provider\":\"openai\",\"model\":\"gpt-4o\","
                + "\"api_key_env\":\"OPENAI_NOWHERE_KEY\"}]}", 400);

        assertEquals("targets[0].api_key_env", error.path("param").asText());
        assertTrue(error.path("message").asText().contains("OPENAI_NOWHERE_KEY"), error.toString());
        assertEquals("invalid_json", error("POST", CHAINS, "{not json", 400).path("code").asText());
        assertEquals("name", error("PUT", CHAINS + "/c", "{\"name\":\"d\",\"targets\":[{\"provider\":\"groq\","
                + "\"model\":\"m\"}]}", 400).path("param").asText());
    }

    @Test
    void googleIsAcceptedAsTheApiReferenceNamesGemini() throws Exception {
        JsonNode created = ok("POST", CHAINS, "{\"name\":\"g\",\"targets\":[{\"provider\":\"google\","
                + "\"model\":\"gemini-1.5-pro\"}]}", 201);

        assertEquals("google", created.path("targets").get(0).path("provider").asText());
    }

    @Test
    void keyValuesNeverAppearInAnswersOnlyTheVariablesName() throws Exception {
        String chain = "{\"name\":\"eu\",\"targets\":[{\"provider\":\"openai\",\"model\":\"gpt-4o\","
                + "\"api_base\":\"https://eu.example/v1\",\"api_key_env\":\"OPENAI_EU_KEY\"}]}";

        String answers = ok("POST", CHAINS, chain, 201) + " " + ok("GET", CHAINS, null, 200) + " "
                + ok("GET", CHAINS + "/eu", null, 200) + " " + ok("GET", "/api/routing/status", null, 200);

        assertTrue(answers.contains("OPENAI_EU_KEY"), answers);
        assertFalse(answers.contains(EU_KEY), answers);
        assertFalse(answers.contains(GROQ_KEY), answers);
    }

    @Test
    void routingRoutesNeedTheMasterKey() throws Exception {
        for (String path : new String[] {CHAINS, "/api/routing/status", "/api/providers/health"}) {
            try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, path))) {
                assertEquals(401, response.code(), path);
            }
        }
    }

    @Test
    void statusOfAFreshGatewayHasNothingForcedNoChainAndNoFailure() throws Exception {
        JsonNode status = ok("GET", "/api/routing/status", null, 200);

        assertTrue(status.path("success").asBoolean());
        assertTrue(status.path("active_provider").isNull(), status.toString());
        assertTrue(status.path("forced").isNull());
        assertTrue(status.path("default_chain").isNull());
        assertEquals(0, status.path("chains").size());
        assertTrue(status.path("last_failure").isNull());
    }

    @Test
    void forcedProviderShowsInTheStatusUntilItIsCleared() throws Exception {
        ok("POST", CHAINS, CHAIN, 201);

        JsonNode forced = ok("POST", FORCE, "{\"provider\":\"groq\",\"duration_seconds\":600}", 200);

        assertTrue(forced.path("success").asBoolean());
        assertEquals("groq", forced.path("provider").asText());
        Instant until = Instant.parse(forced.path("until").asText());
        assertTrue(forced.path("message").asText().contains("groq"));
        JsonNode status = ok("GET", "/api/routing/status", null, 200);
        assertEquals("groq", status.path("active_provider").asText());
        assertEquals("groq", status.path("forced").path("provider").asText());
        assertEquals(until, Instant.parse(status.path("forced").path("until").asText()));
        long left = status.path("forced").path("seconds_left").asLong();
        assertTrue(left > 0 && left <= 600, "seconds_left " + left);
        assertEquals("production", status.path("chains").get(0).asText());

        JsonNode cleared = ok("DELETE", FORCE, null, 200);
        assertTrue(cleared.path("cleared").asBoolean());
        assertTrue(ok("GET", "/api/routing/status", null, 200).path("forced").isNull());
        assertFalse(ok("DELETE", FORCE, null, 200).path("cleared").asBoolean());
    }

    @Test
    void googleCanBeForcedAndIsReportedAsGemini() throws Exception {
        assertEquals("gemini", ok("POST", FORCE, "{\"provider\":\"google\",\"duration_seconds\":60}", 200)
                .path("provider").asText());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown provider | {\"provider\":\"acme\",\"duration_seconds\":60} | provider",
            "provider without a key | {\"provider\":\"anthropic\",\"duration_seconds\":60} | provider",
            "no provider | {\"duration_seconds\":60} | provider",
            "zero seconds | {\"provider\":\"groq\",\"duration_seconds\":0} | duration_seconds",
            "over a day | {\"provider\":\"groq\",\"duration_seconds\":86401} | duration_seconds",
            "seconds as text | {\"provider\":\"groq\",\"duration_seconds\":\"60\"} | duration_seconds",
            "no seconds | {\"provider\":\"groq\"} | duration_seconds",
            "unknown field | {\"provider\":\"groq\",\"duration_seconds\":60,\"reason\":\"x\"} | reason"})
    void badForceIsA400NamingTheFieldAndForcesNothing(String why, String body, String param) throws Exception {
        assertEquals(param, error("POST", FORCE, body, 400).path("param").asText());
        assertTrue(ok("GET", "/api/routing/status", null, 200).path("forced").isNull());
    }

    @Test
    void healthListsEveryAvailableProviderAsHealthyBeforeAnyCall() throws Exception {
        JsonNode health = ok("GET", "/api/providers/health", null, 200);

        assertTrue(health.path("success").asBoolean());
        List<String> names = StreamSupport.stream(health.path("providers").spliterator(), false)
                .map(p -> p.path("provider").asText()).toList();
        assertEquals(List.of("gemini", "groq", "ollama", "openai"), names);
        for (JsonNode provider : health.path("providers")) {
            assertEquals("healthy", provider.path("status").asText());
            assertEquals(0, provider.path("requests_total").asLong());
            assertEquals(1.0, provider.path("success_rate").asDouble());
            assertEquals(0.0, provider.path("error_rate").asDouble());
            assertEquals(0.0, provider.path("latency_ms").asDouble());
            Instant.parse(provider.path("last_updated").asText());
        }
    }

    @Test
    void defaultChainFromTheEnvironmentShowsInTheStatusWithItsFirstTargetActive() throws Exception {
        gateway.close();
        Map<String, String> env = environment(upstream);
        env.put("SMARTFLOW_DEFAULT_CHAIN", "production");
        gateway = new Gateway(upstream, data, env);
        ok("POST", CHAINS, CHAIN, 201);

        JsonNode status = ok("GET", "/api/routing/status", null, 200);

        assertEquals("production", status.path("default_chain").asText());
        assertEquals("openai", status.path("active_provider").asText());
    }
}
