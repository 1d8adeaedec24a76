package dev.smartflow.providers.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.cost.UnitPrice;
import dev.smartflow.core.model.Usage;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.openai.OpenAiProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {
    private final ModelCatalog catalog = ModelCatalog.bundled();

    @TempDir
    Path dir;

    private long micros(String provider, String model, Usage usage) {
        return catalog.price(provider, model).orElseThrow(() -> new AssertionError(model + " has no price"))
                .costMicros(usage);
    }

    // the bundled list

    @Test
    void bundledCatalogIsVersionedAndSaysWhereItsPricesComeFrom() {
        assertEquals("2026-12-07", catalog.version());
        assertTrue(catalog.source().contains("list prices"));
        assertTrue(catalog.entries().size() >= 45);
    }

    @Test
    void everyBundledEntryIsPricedForWhatItDoes() {
        for (ModelEntry entry : catalog.entries()) {
            boolean priced = switch (entry.mode()) {
                case CHAT, EMBEDDING -> entry.tokens().isPresent() && entry.contextWindow().isPresent();
                case IMAGE_GENERATION -> entry.microsPerImage().isPresent() || entry.tokens().isPresent();
                case TRANSCRIPTION -> entry.microsPerAudioHour().isPresent();
                case SPEECH -> entry.microsPerMillionCharacters().isPresent();
                case RERANK -> entry.microsPerSearch().isPresent();
            };
            assertTrue(priced, entry.provider() + "/" + entry.model() + " lacks the price of its mode");
        }
    }

    @Test
    void everyBundledProviderIsOneTheRegistryRoutesTo() {
        List<String> routable = new ArrayList<>(OpenAiProvider.vendors());
        routable.addAll(List.of("anthropic", "gemini", "cohere", "deepgram", "bedrock", "vertex_ai", "replicate"));
        for (ModelEntry entry : catalog.entries()) {
            assertTrue(routable.contains(entry.provider()), entry.provider() + " is not a provider we route to");
        }
    }

    @Test
    void pricesAreReadExactlyIntoMicroUsd() {
        assertEquals(Optional.of(TokenPrice.perMillion(150_000, 75_000, 600_000)),
                catalog.price("openai", "gpt-4o-mini"));
        assertEquals(Optional.of(TokenPrice.perMillion(1_100_000, 275_000, 4_400_000)),
                catalog.price("openai", "o4-mini"));
        assertEquals(Optional.of(TokenPrice.perMillion(590_000, 590_000, 790_000)),
                catalog.price("groq", "llama-3.3-70b-versatile"), "no cached price: cached tokens at the input price");
        assertEquals(Optional.of(TokenPrice.perMillion(20_000, 20_000, 0)),
                catalog.price("openai", "text-embedding-3-small"));
    }

    // cost figures, computed by hand from the list prices

    @Test
    void gpt4oMiniSmallCall() {
        // 9 * 0.15 + 3 * 0.60 = 3.15 micro-USD -> 3
        assertEquals(3, micros("openai", "gpt-4o-mini", new Usage(9, 3, 12)));
    }

    @Test
    void gpt4oWithCachedPrompt() {
        // 600 * 2.50 + 400 * 1.25 + 200 * 10.00 = 1,500 + 500 + 2,000
        assertEquals(4_000, micros("openai", "gpt-4o", new Usage(1_000, 200, 1_200, 400)));
    }

    @Test
    void o4MiniWithCachedPrompt() {
        // 1,000 * 1.10 + 1,000 * 0.275 + 1,000 * 4.40 = 1,100 + 275 + 4,400
        assertEquals(5_775, micros("openai", "o4-mini-2025-04-16", new Usage(2_000, 1_000, 3_000, 1_000)));
    }

    @Test
    void claudeSonnet45WithCacheReads() {
        // 2,000 * 3.00 + 10,000 * 0.30 + 500 * 15.00 = 6,000 + 3,000 + 7,500
        assertEquals(16_500, micros("anthropic", "claude-sonnet-4-5-20250929", new Usage(12_000, 500, 12_500, 10_000)));
    }

    @Test
    void claudeOpus41() {
        // 1,000 * 15.00 + 1,000 * 75.00
        assertEquals(90_000, micros("anthropic", "claude-opus-4-1-20250805", new Usage(1_000, 1_000, 2_000)));
    }

    @Test
    void groqLlamaRoundsOnceHalfUp() {
        // 1,234 * 0.59 + 567 * 0.79 = 728.06 + 447.93 = 1,175.99 -> 1,176
        assertEquals(1_176, micros("groq", "llama-3.3-70b-versatile", new Usage(1_234, 567, 1_801)));
    }

    @Test
    void grok3Mini() {
        // 100 * 0.30 + 100 * 0.50 = 30 + 50
        assertEquals(80, micros("xai", "grok-3-mini", new Usage(100, 100, 200)));
    }

    @Test
    void embeddingsArePricedByPromptTokensOnly() {
        // 1,000 * 0.13 = 130; 25 * 0.02 = 0.5 -> 1 (half up); 24 * 0.02 = 0.48 -> 0
        assertEquals(130, micros("openai", "text-embedding-3-large", new Usage(1_000, 0, 1_000)));
        assertEquals(1, micros("openai", "text-embedding-3-small", new Usage(25, 0, 25)));
        assertEquals(0, micros("openai", "text-embedding-3-small", new Usage(24, 0, 24)));
    }

    @Test
    void geminiPricesWithContextCachingReads() {
        // 2.5 Pro: 1,000 * 1.25 + 9,000 * 0.125 + 500 * 10.00 = 1,250 + 1,125 + 5,000
        assertEquals(7_375, micros("gemini", "gemini-2.5-pro", new Usage(10_000, 500, 10_500, 9_000)));
        // 2.5 Flash: 1,000 * 0.30 + 1,000 * 0.03 + 1,000 * 2.50 = 300 + 30 + 2,500
        assertEquals(2_830, micros("gemini", "gemini-2.5-flash", new Usage(2_000, 1_000, 3_000, 1_000)));
        assertEquals(Optional.of(TokenPrice.perMillion(100_000, 10_000, 400_000)),
                catalog.price("gemini", "gemini-2.5-flash-lite"));
        assertEquals(Optional.of(TokenPrice.perMillion(100_000, 25_000, 400_000)),
                catalog.price("gemini", "gemini-2.0-flash-001"), "the pinned version of 2.0 Flash");
        assertEquals(Optional.of(TokenPrice.perMillion(150_000, 150_000, 0)),
                catalog.price("gemini", "gemini-embedding-001"));
        assertEquals(OptionalLong.of(1_048_576), catalog.find("gemini", "gemini-2.5-pro").orElseThrow()
                .contextWindow());
    }

    @Test
    void coherePricesByDatedModelAndAlias() {
        // command-r7b: 1,000 * 0.0375 + 1,000 * 0.15 = 37.5 + 150 = 187.5 -> 188 (half up)
        assertEquals(188, micros("cohere", "command-r7b-12-2024", new Usage(1_000, 1_000, 2_000)));
        assertEquals(Optional.of(TokenPrice.perMillion(2_500_000, 2_500_000, 10_000_000)),
                catalog.price("cohere", "command-a"));
        assertEquals(catalog.price("cohere", "command-r-plus-08-2024"), catalog.price("cohere", "command-r-plus"));
        assertEquals(Optional.of(TokenPrice.perMillion(150_000, 150_000, 600_000)),
                catalog.price("cohere", "command-r"));
        assertEquals(Optional.of(TokenPrice.perMillion(120_000, 120_000, 0)), catalog.price("cohere", "embed-v4.0"));
        assertEquals(Optional.of(TokenPrice.perMillion(100_000, 100_000, 0)),
                catalog.price("cohere", "embed-english-v3.0"));
    }

    @Test
    void rerankIsPricedPerSearchNotPerToken() {
        ModelEntry rerank = catalog.find("cohere", "rerank-v3.5").orElseThrow();

        assertEquals(ModelEntry.Mode.RERANK, rerank.mode());
        assertEquals(OptionalLong.of(2_000), rerank.microsPerSearch(), "$2.00 per 1,000 searches");
        assertEquals(Optional.empty(), catalog.price("cohere", "rerank-v3.5"), "no token price for a search");
    }

    @Test
    void nonTokenPricesAreKeptPerUnit() {
        ModelEntry whisper = catalog.find("openai", "whisper-1").orElseThrow();
        assertEquals(OptionalLong.of(360_000), whisper.microsPerAudioHour(), "$0.006 a minute");
        assertEquals(Optional.empty(), whisper.tokens());
        assertEquals(OptionalLong.of(15_000_000), catalog.find("openai", "tts-1").orElseThrow()
                .microsPerMillionCharacters());
        assertEquals(OptionalLong.of(40_000), catalog.find("openai", "dall-e-3").orElseThrow().microsPerImage());
        assertEquals(Optional.empty(), catalog.price("openai", "dall-e-3"), "no token price for an image model");
    }

    @Test
    void unitPricesGoWithEachModelsMode() {
        assertEquals(Optional.of(new UnitPrice(UnitPrice.Unit.IMAGE, 40_000)), catalog.unitPrice("openai", "dall-e-3"));
        assertEquals(Optional.of(new UnitPrice(UnitPrice.Unit.AUDIO_HOUR, 111_000)),
                catalog.unitPrice("groq", "whisper-large-v3"), "$0.111 an hour");
        assertEquals(Optional.of(new UnitPrice(UnitPrice.Unit.AUDIO_HOUR, 258_000)),
                catalog.unitPrice("deepgram", "nova-2"), "$0.0043 a minute is $0.258 an hour");
        assertEquals(Optional.of(new UnitPrice(UnitPrice.Unit.MILLION_CHARACTERS, 30_000_000)),
                catalog.unitPrice("openai", "tts-1-hd"));
        assertEquals(Optional.of(new UnitPrice(UnitPrice.Unit.SEARCH, 2_000)),
                catalog.unitPrice("cohere", "rerank-english-v3.0"));
        assertEquals(Optional.empty(), catalog.unitPrice("openai", "gpt-4o"), "a chat model has no unit price");
        assertEquals(Optional.empty(), catalog.unitPrice("openai", "gpt-image-1"), "billed by the token");
        assertTrue(catalog.price("openai", "gpt-image-1").isPresent());
    }

    @Test
    void audioPricesPerMinuteOrSecondAreKeptPerHourExactly() {
        String json = """
                {"version":"t","models":[
                 {"provider":"openai","model":"a","mode":"transcription","per_audio_second":0.0001},
                 {"provider":"openai","model":"b","mode":"transcription","per_audio_minute":0.0043},
                 {"provider":"openai","model":"c","mode":"transcription","per_audio_hour":0.111}]}""";
        List<ModelEntry> entries = CatalogFile.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                "test").models();

        assertEquals(OptionalLong.of(360_000), entries.get(0).microsPerAudioHour());
        assertEquals(OptionalLong.of(258_000), entries.get(1).microsPerAudioHour());
        assertEquals(OptionalLong.of(111_000), entries.get(2).microsPerAudioHour());
    }

    @Test
    void anEntryWithTwoAudioPricesIsRefused() {
        String json = """
                {"models":[{"provider":"openai","model":"a","mode":"transcription","per_audio_second":0.0001,\
                "per_audio_minute":0.006}]}""";

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CatalogFile.read(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test"));
        assertTrue(e.getMessage().contains("openai/a"), e.getMessage());
    }

    @Test
    void entriesCarryContextWindowAndModalities() {
        ModelEntry gpt41 = catalog.find("openai", "gpt-4.1").orElseThrow();
        assertEquals(OptionalLong.of(1_047_576), gpt41.contextWindow());
        assertEquals(List.of("text", "image"), gpt41.inputModalities());
        assertEquals(ModelEntry.Mode.EMBEDDING, catalog.find("mistral", "mistral-embed").orElseThrow().mode());
    }

    // lookup

    @Test
    void datedSnapshotsArePricedAsTheirModel() {
        assertEquals("gpt-4o-mini", catalog.find("openai", "gpt-4o-mini-2024-07-18").orElseThrow().model());
        assertEquals("o1", catalog.find("openai", "o1-2024-12-17").orElseThrow().model());
        assertEquals("claude-3-5-haiku", catalog.find("anthropic", "claude-3-5-haiku-20241022").orElseThrow().model());
        assertEquals("claude-3-7-sonnet", catalog.find("anthropic", "claude-3-7-sonnet-latest").orElseThrow().model());
    }

    @Test
    void bedrockCrossRegionProfilesArePricedAsTheirModel() {
        String sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0";
        Optional<TokenPrice> base = catalog.price("bedrock", sonnet);

        assertEquals(Optional.of(TokenPrice.perMillion(3_000_000, 300_000, 15_000_000)), base);
        assertEquals(base, catalog.price("bedrock", "us." + sonnet));
        assertEquals(base, catalog.price("bedrock", "eu." + sonnet));
        assertEquals(base, catalog.price("bedrock", "global." + sonnet));
        assertEquals(catalog.price("bedrock", "meta.llama3-3-70b-instruct-v1:0"),
                catalog.price("bedrock", "us.meta.llama3-3-70b-instruct-v1:0"));
        assertEquals(Optional.empty(), catalog.price("bedrock", "xx." + sonnet), "only real geographies");
        assertEquals(Optional.empty(), catalog.price("anthropic", "us." + sonnet));
    }

    @Test
    void vertexDatedClaudeIdsAndReplicateVersionsArePricedAsTheirModel() {
        assertEquals("claude-sonnet-4-5", catalog.find("vertex_ai", "claude-sonnet-4-5@20250929").orElseThrow()
                .model());
        assertEquals("claude-3-5-sonnet-v2", catalog.find("vertex_ai", "claude-3-5-sonnet-v2@20241022").orElseThrow()
                .model());
        assertEquals(Optional.of(TokenPrice.perMillion(300_000, 30_000, 2_500_000)),
                catalog.price("vertex_ai", "gemini-2.5-flash"));
        assertEquals(Optional.of(TokenPrice.perMillion(650_000, 650_000, 2_750_000)), catalog.price("replicate",
                "meta/meta-llama-3-70b-instruct:fbfb20b472b2f3bdd101412a9f70a0ed4fc0ced78a77ff00970ee7a2383c575d"));
        assertEquals(Optional.empty(), catalog.price("replicate", "meta/meta-llama-3-70b-instruct:v2"));
    }

    @Test
    void bedrockEmbeddingModelsArePricedByTheirInputTokens() {
        ModelEntry titan = catalog.find("bedrock", "amazon.titan-embed-text-v2:0").orElseThrow();

        assertEquals(ModelEntry.Mode.EMBEDDING, titan.mode());
        assertEquals(20, micros("bedrock", "amazon.titan-embed-text-v2:0", new Usage(1_000_000, 0, 1_000_000)) / 1000);
    }

    @Test
    void aSnapshotWithItsOwnPriceWins() {
        assertEquals(Optional.of(TokenPrice.perMillion(5_000_000, 5_000_000, 15_000_000)),
                catalog.price("openai", "gpt-4o-2024-05-13"));
        assertEquals(Optional.of(TokenPrice.perMillion(2_500_000, 1_250_000, 10_000_000)),
                catalog.price("openai", "gpt-4o-2024-08-06"));
    }

    @Test
    void aliasesAndCaseAreResolved() {
        assertEquals("claude-sonnet-4", catalog.find("anthropic", "claude-sonnet-4-0").orElseThrow().model());
        assertEquals("grok-4", catalog.find("xai", "grok-4-0709").orElseThrow().model());
        assertEquals("gpt-4o", catalog.find("OpenAI", "GPT-4o").orElseThrow().model());
    }

    @Test
    void nothingIsGuessed() {
        assertEquals(Optional.empty(), catalog.find("openai", "gpt-4o-audio-preview"));
        assertEquals(Optional.empty(), catalog.find("mistral", "mistral-large-latest"), "a moving alias");
        assertEquals(Optional.empty(), catalog.find("groq", "gpt-4o"), "prices are per provider");
        assertEquals(Optional.empty(), catalog.find("openai", "my-finetune"));
    }

    // overrides

    @Test
    void overrideFileReplacesAPriceAndAddsAModel() throws IOException {
        // given
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {"version": "acme-7", "models": [
                  {"provider": "openai", "model": "gpt-4o-mini", "input_per_1m": 0.10, "output_per_1m": 0.40,
                   "context_window": 128000},
                  {"provider": "ollama", "model": "llama3.2", "input_per_1m": 0, "output_per_1m": 0}
                ]}""");

        // when
        ModelCatalog overridden = catalog.withOverrides(file);

        // then
        assertEquals(Optional.of(TokenPrice.perMillion(100_000, 100_000, 400_000)),
                overridden.price("openai", "gpt-4o-mini-2024-07-18"));
        assertEquals(Optional.of(TokenPrice.perMillion(0, 0, 0)), overridden.price("ollama", "llama3.2"));
        assertEquals(catalog.price("openai", "gpt-4o"), overridden.price("openai", "gpt-4o"), "the rest stays");
        assertEquals("2026-12-07+acme-7", overridden.version());
        assertEquals(catalog.entries().size() + 1, overridden.entries().size());
        assertEquals(Optional.of(TokenPrice.perMillion(150_000, 75_000, 600_000)),
                catalog.price("openai", "gpt-4o-mini"), "the bundled catalog is unchanged");
    }

    @Test
    void overrideEntriesCanBeGivenInCode() {
        ModelCatalog overridden = catalog.withOverrides(List.of(
                ModelEntry.tokens("azure", "gpt-4o", TokenPrice.perMillion(2_750_000, 1_375_000, 11_000_000))));

        assertEquals(Optional.of(TokenPrice.perMillion(2_750_000, 1_375_000, 11_000_000)),
                overridden.price("azure", "gpt-4o-2024-11-20"));
    }

    @Test
    void builtEntriesDefaultToATextChatModel() {
        ModelEntry entry = ModelEntry.builder("Azure", "GPT-4o").aliases("my-deployment")
                .tokens(TokenPrice.perMillion(2_500_000, 1_250_000, 10_000_000)).contextWindow(128_000)
                .inputModalities("text", "image").build();

        ModelCatalog overridden = catalog.withOverrides(List.of(entry));

        assertEquals("azure", entry.provider());
        assertEquals(ModelEntry.Mode.CHAT, entry.mode());
        assertEquals(List.of("text"), entry.outputModalities());
        assertEquals(Optional.of(entry), overridden.find("azure", "my-deployment"));
        assertThrows(IllegalArgumentException.class, () -> ModelEntry.builder("openai", " ").build());
        assertThrows(IllegalArgumentException.class, () -> ModelEntry.builder("openai", "x").contextWindow(-1).build());
    }

    @Test
    void malformedOverrideNamesTheFileAndTheEntry() throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, """
                {"models": [{"provider": "openai", "model": "gpt-x", "input_per_1m": "cheap"}]}""");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog.withOverrides(file));

        assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
        assertTrue(e.getMessage().contains("openai/gpt-x"), e.getMessage());
    }

    @Test
    void aPriceFinerThanAMicroUsdIsRejectedNotRounded() throws IOException {
        Path file = dir.resolve("fine.json");
        Files.writeString(file, """
                {"models": [{"provider": "openai", "model": "gpt-x", "input_per_1m": 0.0000001}]}""");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog.withOverrides(file));

        assertTrue(e.getMessage().contains("finer than a micro-USD"), e.getMessage());
    }

    @Test
    void missingOverrideFileIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> catalog.withOverrides(dir.resolve("absent.json")));
    }

    // the registry

    @Test
    void registryCarriesTheBundledCatalogUnlessGivenOne() {
        try (ProviderRegistry registry = ProviderRegistry.builder().environment(Map.of()).build()) {
            assertEquals(catalog.version(), registry.catalog().version());
        }
        ModelCatalog mine = ModelCatalog.of("mine", List.of());
        try (ProviderRegistry registry = ProviderRegistry.builder().catalog(mine).build()) {
            assertEquals("mine", registry.catalog().version());
            assertFalse(registry.catalog().price("openai", "gpt-4o").isPresent());
        }
    }
}
