package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.routing.CircuitSettings;
import dev.smartflow.core.routing.FallbackChain;
import dev.smartflow.core.routing.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code routing} section: chains declared in YAML, the default chain, circuit settings. */
class RoutingConfigTest {
    private static final String CHAINS = """
            routing:
              default_chain: production
              fallback_chains:
                - name: production
                  strategy: latency
                  retry_on: [429, 503]
                  max_retries: 1
                  backoff_ms: 50
                  timeout_ms: 30000
                  targets:
                    - {provider: openai, model: gpt-4o-mini, weight: 3}
                    - {provider: groq, model: llama-3.3-70b-versatile, daily_budget_usd: 5}
              circuit: {consecutive_failures: 3, error_rate: 0.25, min_calls: 8, window_seconds: 10, open_seconds: 45}
            """;

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void routingSectionIsReadWithChainsInTheApisShape() throws Exception {
        RoutingSettings routing = ServerConfig.load(Optional.of(yaml(CHAINS)), Map.of()).routing();

        assertEquals(Optional.of("production"), routing.defaultChain());
        FallbackChain chain = routing.chains().getFirst();
        assertEquals("production", chain.name());
        assertEquals(Strategy.LATENCY, chain.strategy());
        assertEquals(java.util.Set.of(429, 503), chain.retryOn());
        assertEquals(1, chain.maxRetries());
        assertEquals(Duration.ofMillis(50), chain.backoff());
        assertEquals(Duration.ofSeconds(30), chain.deadline());
        assertEquals(3, chain.targets().get(0).weight());
        assertEquals(5_000_000, chain.targets().get(1).dailyBudgetMicros().getAsLong());
        assertEquals(new CircuitSettings(3, 0.25, 8, Duration.ofSeconds(10), Duration.ofSeconds(45)),
                routing.circuit());
    }

    @Test
    void theExampleFileLoadsWithTheDefaultCircuit() {
        ServerConfig config = ServerConfig.load(Optional.of(Path.of("..", "smartflow.example.yaml")), Map.of());

        assertEquals(CircuitSettings.DEFAULTS, config.routing().circuit());
        assertEquals(Optional.of("openai"), config.defaultProvider());
    }

    @Test
    void withoutASectionThereAreNoChainsAndTheDefaultCircuit() {
        RoutingSettings routing = ServerConfig.load(Optional.empty(), Map.of()).routing();

        assertEquals(RoutingSettings.DEFAULTS, routing);
    }

    @Test
    void defaultChainComesFromTheEnvironmentFirst() throws Exception {
        ServerConfig config = ServerConfig.load(Optional.of(yaml(CHAINS)),
                Map.of("SMARTFLOW_DEFAULT_CHAIN", "staging"));

        assertEquals(Optional.of("staging"), config.routing().defaultChain());
        assertTrue(config.toString().contains("chains=[production]"), config.toString());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "routing: {fallback_chains: [{name: a, targets: [{provider: openai}]}]}"
                    + " | routing.fallback_chains[0].targets[0].model",
            "routing: {fallback_chains: [{name: a, strategy: fastest, targets: [{provider: openai, model: m}]}]}"
                    + " | routing.fallback_chains[0].strategy",
            "routing: {fallback_chains: [{name: a, targets: [{provider: openai, model: m}]},"
                    + " {name: a, targets: [{provider: openai, model: m}]}]} | routing.fallback_chains[1].name",
            "routing: {fallback_chains: {name: a}} | routing.fallback_chains",
            "routing: {default_chain: 'not a name'} | routing.default_chain",
            "routing: {fallback_chain: []} | routing.fallback_chain",
            "routing: {circuit: {error_rate: 1.5}} | routing.circuit.error_rate",
            "routing: {circuit: {consecutive_failures: 0}} | routing.circuit.consecutive_failures",
            "routing: {circuit: {open_seconds: soon}} | routing.circuit.open_seconds",
            "routing: {circuit: {window: 10}} | routing.circuit.window"})
    void badRoutingSettingsAreRejectedNamingTheField(String text, String field) throws Exception {
        Path file = yaml(text);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.of(file), Map.of()));

        assertTrue(error.getMessage().startsWith(field), error.getMessage());
    }

    @Test
    void chainsOfTheFileAreWrittenAtStartReplacingStoredChainsOfTheirName() throws Exception {
        // given: a gateway that stored two chains over the API
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("GROQ_API_KEY", "gsk-config-test-0123456789");
        try (Upstream upstream = new Upstream()) {
            Gateway first = new Gateway(upstream, data, env);
            try {
                for (String name : new String[] {"production", "adhoc"}) {
                    post(first, "{\"name\":\"" + name + "\",\"targets\":[{\"provider\":\"openai\","
                            + "\"model\":\"gpt-4o\"}]}", 201);
                }
            } finally {
                first.close();
            }

            // when: it restarts with a file that declares 'production'
            Gateway second = new Gateway(upstream, data, Optional.of(yaml(CHAINS)), env);
            try {
                // then: the file's 'production' replaced the stored one; 'adhoc' stays; a call finds the chain at once
                JsonNode list = get(second, RoutingApiTest.CHAINS);
                assertEquals(2, list.path("total").asInt());
                JsonNode production = get(second, RoutingApiTest.CHAINS + "/production");
                assertEquals("latency", production.path("strategy").asText());
                assertEquals(2, production.path("targets").size());
                assertEquals("production", get(second, "/api/routing/status").path("default_chain").asText());
                try (Response call = second.post(second.proxy("/v1/chat/completions"), "{\"model\":\"production\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "authorization",
                        RoutingApiTest.MASTER)) {
                    assertEquals(200, call.code());
                    assertTrue(List.of("openai", "groq").contains(call.header("x-smartflow-provider")));
                }
            } finally {
                second.close();
            }
        }
    }

    @Test
    void chainOfTheFileNamingAProviderWithoutAKeyFailsTheStartNamingTheField() throws Exception {
        Path file = yaml("""
                routing:
                  fallback_chains:
                    - name: production
                      targets: [{provider: openai, model: gpt-4o}, {provider: anthropic, model: claude-sonnet-4-5}]
                """);
        try (Upstream upstream = new Upstream()) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> new Gateway(upstream, dir.resolve("data"), Optional.of(file), Map.of()).close());

            assertTrue(error.getMessage().startsWith("routing.fallback_chains[0].targets[1].provider"),
                    error.getMessage());
            assertTrue(error.getMessage().contains("ANTHROPIC_API_KEY"), error.getMessage());
        }
    }

    private static void post(Gateway gateway, String body, int status) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, RoutingApiTest.CHAINS), body,
                "authorization", RoutingApiTest.MASTER)) {
            assertEquals(status, response.code(), response.body().string());
        }
    }

    private static JsonNode get(Gateway gateway, String path) throws IOException {
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, path), "authorization",
                RoutingApiTest.MASTER)) {
            assertEquals(200, response.code());
            return Gateway.json(response);
        }
    }
}
