package dev.smartflow.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.routing.ChainTarget;
import dev.smartflow.core.routing.Target;
import dev.smartflow.providers.anthropic.AnthropicProvider;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A fallback chain's target with its own {@code api_base} and {@code api_key_env}: a second account or endpoint. */
final class ChainTargetResolutionTest {
    private static final String MAIN_KEY = "sk-main-0123456789abcdef";
    private static final String EU_KEY = "sk-eu-account-fedcba9876543210";
    private static final String CHAT = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";

    @StartStop
    private final MockWebServer main = new MockWebServer();
    @StartStop
    private final MockWebServer eu = new MockWebServer();
    private ProviderRegistry registry;

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private ProviderRegistry registry(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("OPENAI_API_KEY", MAIN_KEY,
                "OPENAI_API_BASE", main.url("/v1").toString()));
        env.putAll(extra);
        return ProviderRegistry.builder().environment(env).build();
    }

    private static ChainTarget target(String provider, String model, String base, String keyEnv) {
        return new ChainTarget(provider, model, 1, OptionalLong.empty(), Optional.ofNullable(base),
                Optional.ofNullable(keyEnv));
    }

    private static Exchange chat() {
        return Exchange.of(Operation.CHAT, Body.json("{\"model\":\"gpt-4o-mini\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), Headers.EMPTY);
    }

    @Test
    void targetWithItsOwnBaseAndKeyReachesThatServerWithThatKey() throws Exception {
        // given
        registry = registry(Map.of("OPENAI_EU_KEY", EU_KEY));
        eu.enqueue(new MockResponse.Builder().addHeader("content-type", "application/json").body(CHAT).build());

        // when
        Target target = registry.resolve(target("openai", "gpt-4o-mini", eu.url("/eu/v1").toString(),
                "OPENAI_EU_KEY"));
        target.provider().call(chat(), target.model());

        // then
        RecordedRequest sent = eu.takeRequest();
        assertEquals("/eu/v1/chat/completions", sent.getUrl().encodedPath());
        assertEquals("Bearer " + EU_KEY, sent.getHeaders().get("Authorization"));
        assertEquals("openai", target.provider().name());
        assertEquals(0, main.getRequestCount());
    }

    @Test
    void targetWithOnlyAKeyVariableKeepsTheProvidersBase() throws Exception {
        registry = registry(Map.of("OPENAI_EU_KEY", EU_KEY));
        main.enqueue(new MockResponse.Builder().addHeader("content-type", "application/json").body(CHAT).build());

        Target target = registry.resolve(target("openai", "gpt-4o-mini", null, "OPENAI_EU_KEY"));
        target.provider().call(chat(), target.model());

        assertEquals("Bearer " + EU_KEY, main.takeRequest().getHeaders().get("Authorization"));
    }

    @Test
    void variantIsMadeOnceAndDiffersFromTheProvidersOwnAdapter() {
        registry = registry(Map.of("OPENAI_EU_KEY", EU_KEY));
        ChainTarget spec = target("openai", "gpt-4o-mini", eu.url("/v1").toString(), "OPENAI_EU_KEY");

        Target first = registry.resolve(spec);
        Target second = registry.resolve(target("openai", "gpt-4o", eu.url("/v1").toString(), "OPENAI_EU_KEY"));

        assertSame(first.provider(), second.provider());
        assertNotSame(registry.provider("openai").orElseThrow(), first.provider());
        assertSame(registry.provider("openai").orElseThrow(),
                registry.resolve(ChainTarget.of("openai", "gpt-4o-mini")).provider());
    }

    @Test
    void nativeProtocolGetsAVariantOfItsOwnAdapter() {
        registry = registry(Map.of("ANTHROPIC_API_KEY", "sk-ant-main-0123456789", "ANTHROPIC_EU", EU_KEY));

        Target target = registry.resolve(target("anthropic", "claude-sonnet-4-5", eu.url("/").toString(),
                "ANTHROPIC_EU"));

        AnthropicProvider anthropic = assertInstanceOf(AnthropicProvider.class, target.provider());
        assertEquals(eu.url("/").toString(), anthropic.apiBase());
    }

    @Test
    void unsetKeyVariableIsRefusedNamingTheVariable() {
        registry = registry(Map.of("OPENAI_BLANK_KEY", "  "));

        for (String variable : new String[] {"OPENAI_MISSING_KEY", "OPENAI_BLANK_KEY"}) {
            InvalidRequest error = assertThrows(InvalidRequest.class,
                    () -> registry.resolve(target("openai", "gpt-4o-mini", null, variable)));

            assertEquals("api_key_env_not_set", error.code().orElseThrow());
            assertEquals("the environment variable " + variable + " named by api_key_env is not set",
                    error.getMessage());
        }
    }

    @Test
    void unknownProviderWithAnOverrideIsRefused() {
        registry = registry(Map.of("OPENAI_EU_KEY", EU_KEY));

        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> registry.resolve(target("acme", "m", eu.url("/v1").toString(), "OPENAI_EU_KEY")));

        assertEquals("unknown_provider", error.code().orElseThrow());
    }

    @Test
    void adapterAddedByTheCallerTakesNoOverride() {
        registry = ProviderRegistry.builder().environment(Map.of("OPENAI_EU_KEY", EU_KEY))
                .addProvider(new FakeProvider("groq", true)).build();

        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> registry.resolve(target("groq", "llama-3.3-70b", eu.url("/v1").toString(), null)));

        assertEquals("override_not_supported", error.code().orElseThrow());
    }

    @Test
    void theVariantsKeyNeverAppearsInItsErrors() {
        // given: an upstream that echoes the key it was sent, as OpenAI's 401 does
        registry = registry(Map.of("OPENAI_EU_KEY", EU_KEY));
        eu.enqueue(new MockResponse.Builder().code(401).addHeader("content-type", "application/json")
                .body("{\"error\":{\"message\":\"Incorrect API key provided: " + EU_KEY + ".\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}")
                .build());
        Target target = registry.resolve(target("openai", "gpt-4o-mini", eu.url("/v1").toString(),
                "OPENAI_EU_KEY"));

        // when
        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> target.provider().call(chat(), target.model()));

        // then
        assertEquals(401, failure.status());
        assertFalse(failure.getMessage().contains(EU_KEY), failure.getMessage());
        assertFalse(String.valueOf(failure).contains(EU_KEY));
        assertFalse(registry.toString().contains(EU_KEY));
        assertTrue(failure.getMessage().contains("Incorrect API key"), failure.getMessage());
    }
}
