package dev.smartflow.providers.cohere;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.routing.Target;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.ProviderStatus;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the registry builds and routes to the Cohere adapter. */
final class CohereRegistryTest {
    private static final String KEY = "co-registry-key-0123456789";
    private ProviderRegistry registry;

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void cohereModelNamesGoToTheCohereAdapterOnceItsKeyIsSet() {
        registry = ProviderRegistry.builder().environment(Map.of("COHERE_API_KEY", KEY)).build();

        Target chat = registry.resolve("command-a-03-2025");

        CohereProvider cohere = assertInstanceOf(CohereProvider.class, chat.provider());
        assertEquals("cohere", cohere.name());
        assertEquals("command-a-03-2025", chat.model());
        assertEquals(CohereProvider.DEFAULT_BASE + "/", cohere.apiBase());
        assertSame(cohere, registry.resolve("embed-v4.0").provider());
        assertSame(cohere, registry.resolve("rerank-v3.5").provider());
    }

    @Test
    void coherePrefixIsStrippedAndTheBaseComesFromTheEnvironment() {
        registry = ProviderRegistry.builder().environment(Map.of("COHERE_API_KEY", KEY,
                "COHERE_API_BASE", "http://127.0.0.1:9/cohere")).build();

        Target target = registry.resolve("cohere/c4ai-aya-expanse-32b");

        assertInstanceOf(CohereProvider.class, target.provider());
        assertEquals("c4ai-aya-expanse-32b", target.model());
        assertEquals("http://127.0.0.1:9/cohere", ((CohereProvider) target.provider()).apiBase());
    }

    @Test
    void withoutAKeyTheMessageNamesTheVariableAndNoSecret() {
        registry = ProviderRegistry.builder().environment(Map.of()).build();

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("command-r-plus"));

        assertEquals("provider 'cohere' is not configured: set COHERE_API_KEY", error.getMessage());
        assertFalse(registry.provider("cohere").orElseThrow().available());
    }

    @Test
    void explicitSettingsConfigureTheBuiltInAdapterAndDescribeHidesTheKey() {
        registry = ProviderRegistry.builder()
                .provider(ProviderSettings.of("cohere").withApiKey(KEY).withApiBase("https://cohere.internal/api"))
                .build();

        ProviderStatus status = registry.describe().stream().filter(s -> s.name().equals("cohere")).findFirst()
                .orElseThrow();

        assertTrue(status.available());
        assertEquals(Optional.of("https://cohere.internal/api"), status.apiBase());
        assertFalse((registry.describe() + " " + registry).contains(KEY));
        assertTrue(registry.available().stream().anyMatch(p -> p.name().equals("cohere")));
    }
}
