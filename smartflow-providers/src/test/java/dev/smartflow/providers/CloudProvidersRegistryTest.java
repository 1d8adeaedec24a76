package dev.smartflow.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.routing.ChainTarget;
import dev.smartflow.core.routing.Target;
import dev.smartflow.providers.bedrock.BedrockProvider;
import dev.smartflow.providers.gemini.GeminiProvider;
import dev.smartflow.providers.replicate.ReplicateProvider;
import dev.smartflow.providers.vertex.VertexProvider;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the registry builds and routes to the Bedrock, Vertex AI and Replicate adapters from the environment. */
final class CloudProvidersRegistryTest {
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final String REPLICATE_KEY = "r8_Zx9kWqLmN0pQrStUvWxYz0123456789ab";
    private ProviderRegistry registry;

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private ProviderRegistry with(Map<String, String> environment) {
        registry = ProviderRegistry.builder().environment(environment).build();
        return registry;
    }

    @Test
    void bedrockModelsIncludingCrossRegionProfilesGoToTheBedrockAdapter() {
        with(Map.of("AWS_REGION", "us-west-2", "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE",
                "AWS_SECRET_ACCESS_KEY", SECRET));

        Target target = registry.resolve("bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0");

        BedrockProvider bedrock = assertInstanceOf(BedrockProvider.class, target.provider());
        assertEquals("bedrock", bedrock.name());
        assertEquals("us.anthropic.claude-3-5-haiku-20241022-v1:0", target.model());
        assertEquals(Optional.of("https://bedrock-runtime.us-west-2.amazonaws.com/"), bedrock.apiBase());
    }

    @Test
    void bedrockWithoutARegionSaysWhatToSetAndNoSecret() {
        with(Map.of("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY", SECRET));

        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> registry.resolve("bedrock/anthropic.claude-3-5-haiku-20241022-v1:0"));

        assertEquals("provider_not_configured", error.code().orElseThrow());
        assertTrue(error.getMessage().contains("AWS_REGION"), error.getMessage());
        assertFalse(error.getMessage().contains(SECRET));
    }

    @Test
    void bedrockApiBaseComesFromItsVariable() {
        with(Map.of("AWS_REGION", "us-east-1", "BEDROCK_API_BASE", "https://vpce-0a1b2c.bedrock-runtime.example"));

        assertEquals(Optional.of("https://vpce-0a1b2c.bedrock-runtime.example/"),
                ((BedrockProvider) registry.provider("bedrock").orElseThrow()).apiBase());
    }

    @Test
    void vertexModelsGoToTheVertexAdapterNotTheGeminiApi() {
        with(Map.of("VERTEXAI_API_KEY", "AQ.Ab8RN6Lq-vertex-key-0123456789", "VERTEXAI_PROJECT", "acme-prod",
                "VERTEXAI_LOCATION", "europe-west1", "GEMINI_API_KEY", "AIzaSyD-gemini-key-0123456789abcdef"));

        Target vertex = registry.resolve("vertex_ai/gemini-2.5-flash");
        Target claude = registry.resolve("vertex_ai/claude-sonnet-4-5@20250929");

        assertInstanceOf(VertexProvider.class, vertex.provider());
        assertEquals("gemini-2.5-flash", vertex.model());
        assertEquals("claude-sonnet-4-5@20250929", claude.model());
        assertInstanceOf(GeminiProvider.class, registry.resolve("gemini-2.5-flash").provider());
        assertNotSame(vertex.provider(), registry.resolve("gemini-2.5-flash").provider());
        assertEquals("https://europe-west1-aiplatform.googleapis.com/", ((VertexProvider) vertex.provider()).apiBase());
    }

    @Test
    void vertexReadsItsApiBaseFromVertexaiApiBase() {
        with(Map.of("VERTEXAI_API_KEY", "AQ.Ab8RN6Lq-vertex-key-0123456789",
                "VERTEXAI_API_BASE", "http://127.0.0.1:9/vertex"));

        assertEquals("http://127.0.0.1:9/vertex", ((VertexProvider) registry.provider("vertex_ai").orElseThrow())
                .apiBase());
    }

    @Test
    void vertexWithoutCredentialsSaysWhatToSet() {
        with(Map.of("VERTEXAI_PROJECT", "acme-prod"));

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("vertex_ai/gemini-2.5-pro"));

        assertEquals("provider 'vertex_ai' is not configured: set VERTEXAI_API_KEY, or GOOGLE_APPLICATION_CREDENTIALS"
                + " to a readable credentials file", error.getMessage());
    }

    @Test
    void replicateModelsKeepTheirOwnerAndVersion() {
        with(Map.of("REPLICATE_API_KEY", REPLICATE_KEY, "REPLICATE_API_BASE", "http://127.0.0.1:9/r"));

        Target target = registry.resolve("replicate/meta/meta-llama-3-70b-instruct");

        ReplicateProvider replicate = assertInstanceOf(ReplicateProvider.class, target.provider());
        assertEquals("meta/meta-llama-3-70b-instruct", target.model());
        assertEquals("http://127.0.0.1:9/r", replicate.apiBase());
    }

    @Test
    void replicateWithoutAKeyNamesTheVariable() {
        with(Map.of());

        InvalidRequest error = assertThrows(InvalidRequest.class, () -> registry.resolve("replicate/meta/x"));

        assertEquals("provider 'replicate' is not configured: set REPLICATE_API_KEY", error.getMessage());
    }

    @Test
    void aChainTargetMayUseAnotherReplicateAccount() {
        with(Map.of("REPLICATE_API_KEY", REPLICATE_KEY, "REPLICATE_TEAM_B", "r8_TeamBkeyAbCdEfGhIjKlMnOpQrStUv"));

        Target own = registry.resolve(ChainTarget.of("replicate", "meta/meta-llama-3-8b-instruct"));
        Target other = registry.resolve(new ChainTarget("replicate", "meta/meta-llama-3-8b-instruct", 1,
                OptionalLong.empty(), Optional.empty(), Optional.of("REPLICATE_TEAM_B")));

        assertInstanceOf(ReplicateProvider.class, other.provider());
        assertNotSame(own.provider(), other.provider());
    }

    @Test
    void describeListsTheCloudAdaptersWithoutSecrets() {
        with(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE",
                "AWS_SECRET_ACCESS_KEY", SECRET, "REPLICATE_API_KEY", REPLICATE_KEY));

        String described = registry.describe() + " " + registry;

        assertTrue(registry.describe().stream().anyMatch(s -> s.name().equals("bedrock") && s.available()));
        assertTrue(registry.describe().stream().anyMatch(s -> s.name().equals("vertex_ai") && !s.available()));
        assertTrue(registry.describe().stream().anyMatch(s -> s.name().equals("replicate") && s.available()));
        assertFalse(described.contains(SECRET), described);
        assertFalse(described.contains("AKIAIOSFODNN7EXAMPLE"), described);
        assertFalse(described.contains(REPLICATE_KEY), described);
    }
}
