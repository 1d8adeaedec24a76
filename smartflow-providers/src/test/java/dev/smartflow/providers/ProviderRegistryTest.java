package dev.smartflow.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.routing.Target;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.anthropic.AnthropicProvider;
import dev.smartflow.providers.deepgram.DeepgramProvider;
import dev.smartflow.providers.openai.OpenAiProvider;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which provider a model name leads to, and how the registry reads its configuration. */
final class ProviderRegistryTest {
    @StartStop
    private final MockWebServer server = new MockWebServer();
    private ProviderRegistry registry;

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void prefixNamesTheProviderAndIsStripped() {
        registry = ProviderRegistry.builder().environment(Map.of("GROQ_API_KEY", "gsk_test_0123456789")).build();

        Target target = registry.resolve("groq/llama-3.3-70b-versatile");

        assertEquals("groq", target.provider().name());
        assertEquals("llama-3.3-70b-versatile", target.model());
    }

    @Test
    void onlyTheFirstSlashSeparatesThePrefix() {
        registry = ProviderRegistry.builder().environment(Map.of("OPENROUTER_API_KEY", "sk-or-v1-0123456789")).build();

        Target target = registry.resolve("openrouter/anthropic/claude-3.5-sonnet");

        assertEquals("openrouter", target.provider().name());
        assertEquals("anthropic/claude-3.5-sonnet", target.model());
    }

    @Test
    void prefixWinsOverTheNameRules() {
        registry = ProviderRegistry.builder().environment(Map.of("GROQ_API_KEY", "gsk_test_0123456789")).build();

        assertEquals("groq", registry.resolve("groq/gpt-oss-120b").provider().name());
    }

    @Test
    void unknownPrefixIsRejected() {
        registry = ProviderRegistry.builder().environment(allKeys()).defaultProvider("openai").build();

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("acme/gpt-4o"));

        assertEquals("unknown provider prefix 'acme' in model 'acme/gpt-4o'", error.getMessage());
        assertEquals(400, error.status());
        assertEquals("unknown_provider", error.code().orElseThrow());
        assertEquals("model", error.param().orElseThrow());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "gpt-4o-mini, openai",
            "o1, openai",
            "o1-mini, openai",
            "o3, openai",
            "o3-mini, openai",
            "o4-mini, openai",
            "chatgpt-4o-latest, openai",
            "whisper-1, openai",
            "tts-1-hd, openai",
            "dall-e-3, openai",
            "text-embedding-3-small, openai",
            "omni-moderation-latest, openai",
            "claude-3-5-sonnet-20241022, anthropic",
            "gemini-2.0-flash, gemini",
            "grok-3, xai",
            "mistral-large-latest, mistral",
            "mixtral-8x7b-32768, mistral",
            "codestral-latest, mistral",
            "ministral-8b-latest, mistral",
            "pixtral-12b-2409, mistral",
            "command-r-plus, cohere",
            "embed-v4.0, cohere",
            "rerank-v3.5, cohere",
            "llama-3.3-70b-versatile, groq"})
    void modelNameRulesPickTheProvider(String model, String provider) {
        registry = everything();

        Target target = registry.resolve(model);

        assertEquals(provider, target.provider().name());
        assertEquals(model, target.model());
    }

    @ParameterizedTest
    @CsvSource({"o1x", "o5-mini", "deepseek-chat", "qwen2.5-72b", "gpt4"})
    void namesNoRuleKnowsAreRejectedWithAHint(String model) {
        registry = everything();

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve(model));

        assertEquals("cannot tell which provider serves model '" + model + "'; prefix it with a provider name, e.g. "
                + "openai/" + model, error.getMessage());
        assertEquals("model_not_found", error.code().orElseThrow());
        assertEquals("model", error.param().orElseThrow());
    }

    @Test
    void defaultProviderTakesNamesNoRuleKnows() {
        registry = ProviderRegistry.builder().defaultProvider("ollama").build();

        Target target = registry.resolve("qwen2.5:7b");

        assertEquals("ollama", target.provider().name());
        assertEquals("qwen2.5:7b", target.model());
    }

    @Test
    void knownProviderWithoutKeyIsNotConfiguredAndTheMessageNamesTheVariable() {
        registry = ProviderRegistry.builder().environment(Map.of("OPENAI_API_KEY", "sk-live-0123456789")).build();

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("llama-3.3-70b-versatile"));

        assertEquals("provider 'groq' is not configured: set GROQ_API_KEY", error.getMessage());
        assertEquals("provider_not_configured", error.code().orElseThrow());
        assertEquals("model", error.param().orElseThrow());
    }

    @Test
    void azureWithAKeyButNoBaseAsksForTheBase() {
        registry = ProviderRegistry.builder().environment(Map.of("AZURE_API_KEY", "azure-secret-value")).build();

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("azure/gpt-4o"));

        assertEquals("provider 'azure' is not configured: set AZURE_API_BASE", error.getMessage());
        assertFalse(error.getMessage().contains("azure-secret-value"));
    }

    @Test
    void deepgramWithoutAKeyAsksForIt() {
        registry = ProviderRegistry.builder().build();

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("deepgram/nova-3"));

        assertEquals("provider_not_configured", error.code().orElseThrow());
        assertEquals("provider 'deepgram' is not configured: set DEEPGRAM_API_KEY", error.getMessage());
    }

    @Test
    void deepgramModelsGoToTheDeepgramAdapterOnceItsKeyIsSet() {
        registry = ProviderRegistry.builder()
                .provider(ProviderSettings.of("deepgram").withApiKey("dg-key-0123456789"))
                .build();

        Target target = registry.resolve("deepgram/nova-3");

        assertInstanceOf(DeepgramProvider.class, target.provider(), "OpenAI's adapter must not stand in for it");
        assertEquals("nova-3", target.model());
        assertFalse(registry.toString().contains("dg-key"));
    }

    @Test
    void claudeModelsGoToTheAnthropicAdapterOnceItsKeyIsSet() {
        registry = ProviderRegistry.builder().environment(Map.of("ANTHROPIC_API_KEY", "sk-ant-0123456789",
                "ANTHROPIC_API_BASE", "http://127.0.0.1:9/anthropic")).build();

        Target byName = registry.resolve("claude-3-5-haiku-latest");
        Target byPrefix = registry.resolve("anthropic/claude-3-5-haiku-latest");

        assertInstanceOf(AnthropicProvider.class, byName.provider());
        assertSame(byName.provider(), byPrefix.provider());
        assertEquals("claude-3-5-haiku-latest", byPrefix.model());
        assertEquals("http://127.0.0.1:9/anthropic", ((AnthropicProvider) byName.provider()).apiBase());
    }

    @Test
    void anthropicWithoutAKeyNamesTheVariableToSet() {
        registry = ProviderRegistry.builder().build();

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("claude-3-5-haiku-latest"));

        assertEquals("provider 'anthropic' is not configured: set ANTHROPIC_API_KEY", error.getMessage());
        assertEquals(AnthropicProvider.DEFAULT_BASE, ((AnthropicProvider) registry.provider("anthropic")
                .orElseThrow()).apiBase().replaceAll("/$", ""));
    }

    @Test
    void addedProviderServesItsName() {
        FakeProvider anthropic = new FakeProvider("anthropic", true);
        registry = ProviderRegistry.builder().addProvider(anthropic).build();

        Target target = registry.resolve("anthropic/claude-3-5-haiku-latest");

        assertSame(anthropic, target.provider());
        assertEquals("claude-3-5-haiku-latest", target.model());
    }

    @Test
    void addedProviderReplacesTheBuiltInOfTheSameName() {
        FakeProvider groq = new FakeProvider("groq", true);
        registry = ProviderRegistry.builder().addProvider(groq).build();

        assertSame(groq, registry.resolve("groq/llama-3.1-8b-instant").provider());
    }

    @Test
    void environmentSuppliesKeyAndBase() throws Exception {
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body("{}").build());
        registry = ProviderRegistry.builder()
                .environment(Map.of("GROQ_API_KEY", "gsk_env_0123456789", "GROQ_API_BASE",
                        server.url("/openai/v1").toString()))
                .build();

        callChat(registry.resolve("groq/llama-3.1-8b-instant"));

        RecordedRequest sent = server.takeRequest();
        assertEquals("/openai/v1/chat/completions", sent.getUrl().encodedPath());
        assertEquals("Bearer gsk_env_0123456789", sent.getHeaders().get("Authorization"));
    }

    @Test
    void environmentOverridesConfigurationFieldByField() throws Exception {
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body("{}").build());
        registry = ProviderRegistry.builder()
                .provider(ProviderSettings.of("groq").withApiKey("gsk_config_0123456789")
                        .withApiBase(server.url("/from-config/v1").toString()))
                .environment(Map.of("GROQ_API_KEY", "gsk_env_0123456789"))
                .build();

        callChat(registry.resolve("groq/llama-3.1-8b-instant"));

        RecordedRequest sent = server.takeRequest();
        assertEquals("/from-config/v1/chat/completions", sent.getUrl().encodedPath(), "the base came from config");
        assertEquals("Bearer gsk_env_0123456789", sent.getHeaders().get("Authorization"), "the key from the env");
    }

    @Test
    void blankEnvironmentValueDoesNotOverrideConfiguration() {
        registry = ProviderRegistry.builder()
                .provider(ProviderSettings.of("groq").withApiKey("gsk_config_0123456789"))
                .environment(Map.of("GROQ_API_KEY", "  "))
                .build();

        assertTrue(registry.provider("groq").orElseThrow().available());
    }

    @Test
    void ollamaIsAvailableWithoutAnyKey() {
        registry = ProviderRegistry.builder().build();

        assertEquals(List.of("ollama"), names(registry.available()));
    }

    @Test
    void availableListsOpenAiFirstThenByName() {
        registry = ProviderRegistry.builder()
                .environment(Map.of("XAI_API_KEY", "xai-0123456789", "GROQ_API_KEY", "gsk_0123456789",
                        "OPENAI_API_KEY", "sk-0123456789", "DEEPINFRA_API_KEY", "di-0123456789"))
                .addProvider(new FakeProvider("anthropic", true))
                .addProvider(new FakeProvider("cohere", false))
                .build();

        assertEquals(List.of("openai", "anthropic", "deepinfra", "groq", "ollama", "xai"), names(registry.available()));
    }

    @Test
    void fromEnvironmentReadsTheProcessEnvironment() {
        try (ProviderRegistry fromEnv = ProviderRegistry.fromEnvironment()) {
            boolean hasOpenAiKey = Optional.ofNullable(System.getenv("OPENAI_API_KEY")).filter(k -> !k.isBlank())
                    .isPresent();

            assertEquals(hasOpenAiKey, fromEnv.provider("openai").orElseThrow().available());
            assertTrue(fromEnv.provider("ollama").orElseThrow().available());
        }
    }

    @Test
    void describeShowsEveryProviderAndNoSecrets() {
        registry = ProviderRegistry.builder()
                .environment(Map.of("GROQ_API_KEY", "gsk_secret_0123456789",
                        "MISTRAL_API_KEY", "mistral-secret-0123456789",
                        "MISTRAL_API_BASE", "https://user:hunter2@mistral.example/v1?token=abc"))
                .build();

        List<ProviderStatus> described = registry.describe();

        assertEquals(OpenAiProvider.vendors().size() + 7, described.size(),
                "every vendor, anthropic, gemini, cohere, deepgram, bedrock, vertex_ai, replicate");
        assertEquals("openai", described.getFirst().name());
        ProviderStatus groq = described.stream().filter(s -> s.name().equals("groq")).findFirst().orElseThrow();
        assertTrue(groq.available());
        assertEquals(Optional.of("https://api.groq.com/openai/v1"), groq.apiBase());
        ProviderStatus azure = described.stream().filter(s -> s.name().equals("azure")).findFirst().orElseThrow();
        assertFalse(azure.available());
        assertEquals(Optional.empty(), azure.apiBase());
        String text = described + " " + registry;
        for (String secret : List.of("gsk_secret", "mistral-secret", "hunter2", "token=abc")) {
            assertFalse(text.contains(secret), secret + " leaked into " + text);
        }
        assertTrue(text.contains("mistral.example/v1"), text);
    }

    @Test
    void settingsMaskTheKeyWhenPrinted() {
        ProviderSettings settings = ProviderSettings.of("groq").withApiKey("gsk_secret_0123456789");

        assertFalse(settings.toString().contains("gsk_secret"), settings.toString());
        assertEquals(Optional.of("gsk_secret_0123456789"), settings.apiKey());
    }

    @Test
    void settingsHaveTheDocumentedDefaults() {
        ProviderSettings settings = ProviderSettings.of("openai");

        assertEquals(Duration.ofSeconds(600), settings.timeout());
        assertEquals(Duration.ofSeconds(300), settings.streamIdleTimeout());
        assertEquals(Optional.empty(), settings.apiKey());
        assertEquals(Optional.empty(), ProviderSettings.of("x").withApiKey(" ").apiKey());
    }

    @Test
    void settingsRejectBadNamesAndDurations() {
        assertThrows(IllegalArgumentException.class, () -> ProviderSettings.of("Open AI"));
        assertThrows(IllegalArgumentException.class, () -> ProviderSettings.of("openai").withTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> ProviderSettings.of("openai").withStreamIdleTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void declaredServerWithoutABaseIsAConfigurationError() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ProviderRegistry.builder().provider(ProviderSettings.of("vllm")).build());

        assertTrue(error.getMessage().contains("'vllm'"), error.getMessage());
    }

    @Test
    void unknownDefaultProviderIsAConfigurationError() {
        assertThrows(IllegalArgumentException.class,
                () -> ProviderRegistry.builder().defaultProvider("acme").build());
    }

    @Test
    void keyThatCannotBeAHeaderIsRejectedWithoutQuotingIt() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ProviderRegistry.builder().environment(Map.of("AZURE_API_KEY", "secret\nvalue",
                        "AZURE_API_BASE", "https://r.openai.azure.com")).build());

        assertFalse(error.getMessage().contains("secret"), error.getMessage());
    }

    @Test
    void settingsForOneNameCanBeGivenOnce() {
        ProviderRegistry.Builder builder = ProviderRegistry.builder().provider(ProviderSettings.of("groq"));

        assertThrows(IllegalArgumentException.class, () -> builder.provider(ProviderSettings.of("groq")));
    }

    private static void callChat(Target target) {
        target.provider().call(Exchange.of(Operation.CHAT,
                Body.json("{\"model\":\"" + target.model() + "\",\"messages\":[]}"), Headers.EMPTY), target.model());
    }

    /** Keys for every OpenAI-compatible vendor, and stand-ins for the native protocols. */
    private static ProviderRegistry everything() {
        return ProviderRegistry.builder()
                .environment(allKeys())
                .addProvider(new FakeProvider("anthropic", true))
                .addProvider(new FakeProvider("gemini", true))
                .addProvider(new FakeProvider("cohere", true))
                .build();
    }

    private static Map<String, String> allKeys() {
        Map<String, String> env = new HashMap<>();
        for (String vendor : OpenAiProvider.vendors()) {
            env.put(vendor.toUpperCase(Locale.ROOT) + "_API_KEY", "key-" + vendor + "-0123456789");
        }
        env.put("AZURE_API_BASE", "https://r.openai.azure.com");
        return env;
    }

    private static List<String> names(List<Provider> providers) {
        return providers.stream().map(Provider::name).toList();
    }
}
