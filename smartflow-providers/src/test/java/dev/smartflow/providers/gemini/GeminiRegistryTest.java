package dev.smartflow.providers.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.routing.ChainTarget;
import dev.smartflow.core.routing.Target;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.ProviderStatus;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the registry builds and routes to the Gemini adapter. */
final class GeminiRegistryTest {
    private static final String KEY = "AIzaSyD-registry-key-0123456789abcdef";
    private ProviderRegistry registry;

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private static ProviderRegistry withEnvironment(Map<String, String> environment) {
        return ProviderRegistry.builder().environment(environment).build();
    }

    @Test
    void geminiModelNamesGoToTheGeminiAdapterOnceItsKeyIsSet() {
        registry = withEnvironment(Map.of("GEMINI_API_KEY", KEY));

        Target target = registry.resolve("gemini-2.5-flash");

        GeminiProvider gemini = assertInstanceOf(GeminiProvider.class, target.provider());
        assertEquals("gemini", gemini.name());
        assertEquals("gemini-2.5-flash", target.model());
        assertEquals(GeminiProvider.DEFAULT_BASE + "/", gemini.apiBase());
    }

    @Test
    void geminiPrefixIsStripped() {
        registry = withEnvironment(Map.of("GEMINI_API_KEY", KEY, "GEMINI_API_BASE", "http://127.0.0.1:9/google"));

        Target target = registry.resolve("gemini/gemini-2.5-pro");

        assertInstanceOf(GeminiProvider.class, target.provider());
        assertEquals("gemini-2.5-pro", target.model());
        assertEquals("http://127.0.0.1:9/google", ((GeminiProvider) target.provider()).apiBase());
    }

    @Test
    void googlePrefixAsTheApiReferenceWritesItIsServedByTheGeminiAdapter() {
        registry = withEnvironment(Map.of("GEMINI_API_KEY", KEY));

        Target google = registry.resolve("google/gemini-1.5-pro");
        Target inChain = registry.resolve(ChainTarget.of("google", "gemini-1.5-pro"));

        assertSame(registry.resolve("gemini-2.5-flash").provider(), google.provider());
        assertEquals("gemini-1.5-pro", google.model());
        assertSame(google.provider(), inChain.provider());
        assertSame(google.provider(), registry.provider("google").orElseThrow());
    }

    @Test
    void geminiEnabledFalseKeepsTheAdapterUnavailableEvenWithAKey() {
        registry = withEnvironment(Map.of("GEMINI_API_KEY", KEY, "GEMINI_ENABLED", " False "));

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("gemini-2.5-flash"));

        assertEquals("provider 'gemini' is not configured: GEMINI_ENABLED is false", error.getMessage());
        assertEquals("provider_not_configured", error.code().orElseThrow());
        assertFalse(registry.provider("gemini").orElseThrow().available());
    }

    @Test
    void geminiEnabledOtherThanFalseLeavesTheAdapterOn() {
        registry = withEnvironment(Map.of("GEMINI_API_KEY", KEY, "GEMINI_ENABLED", "true"));

        assertTrue(registry.resolve("gemini-2.5-flash").provider().available());
    }

    @Test
    void withoutAKeyTheMessageNamesTheVariableAndNoSecret() {
        registry = withEnvironment(Map.of());

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("gemini/gemini-2.5-flash"));

        assertEquals("provider 'gemini' is not configured: set GEMINI_API_KEY", error.getMessage());
    }

    @Test
    void explicitSettingsConfigureTheBuiltInAdapterAndDescribeHidesTheKey() {
        registry = ProviderRegistry.builder()
                .provider(ProviderSettings.of("gemini").withApiKey(KEY).withApiBase("https://proxy.example/g"))
                .build();

        ProviderStatus status = registry.describe().stream().filter(s -> s.name().equals("gemini")).findFirst()
                .orElseThrow();

        assertTrue(status.available());
        assertEquals(Optional.of("https://proxy.example/g"), status.apiBase());
        assertFalse((registry.describe() + " " + registry).contains(KEY));
    }
}
