package dev.smartflow.cache.metacache;

import static dev.smartflow.cache.metacache.Harness.APP_A;
import static dev.smartflow.cache.metacache.Harness.APP_B;
import static dev.smartflow.cache.metacache.Harness.chat;
import static dev.smartflow.cache.metacache.Harness.content;
import static dev.smartflow.cache.metacache.Harness.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.PermissionDenied;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The tiers, the controls and the tenant scopes, through an in-process pipeline with real provider adapters. */
class MetaCacheTest {
    private Harness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new Harness(CacheSettings.DEFAULTS);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aRepeatedQuestionIsAnsweredFromMemoryWithoutAProviderCall() {
        Response first = harness.call(chat("What is the capital of France?"));
        Response second = harness.call(chat("What is the capital of France?"));

        assertEquals("false", header(first, CacheStage.HIT));
        assertEquals("true", header(second, CacheStage.HIT));
        assertEquals("l1", header(second, CacheStage.TIER));
        assertEquals(header(first, CacheStage.KEY), header(second, CacheStage.KEY));
        assertEquals(64, header(second, CacheStage.KEY).length());
        assertEquals("answer to: What is the capital of France?", content(second));
        assertEquals(1, harness.upstream.calls.get());
        assertEquals("openai", header(second, "x-smartflow-provider"));
        assertEquals("0.000000", header(second, "x-smartflow-cost-usd"));
    }

    @Test
    void fieldOrderAndDeliveryFieldsDoNotChangeTheKeyButParametersDo() {
        harness.call(chat("Name a prime number.", o -> o.put("temperature", 0).put("user", "alice")));
        Response reordered = harness.call("{\"temperature\":0,\"messages\":[{\"role\":\"system\",\"content\":"
                + "\"You are a helpful assistant.\"},{\"content\":\"Name a prime number.\",\"role\":\"user\"}],"
                + "\"model\":\"gpt-4o-mini\",\"user\":\"bob\"}");
        Response otherTemperature = harness.call(chat("Name a prime number.", o -> o.put("temperature", 0.2)));
        Response otherSeed = harness.call(chat("Name a prime number.", o -> o.put("temperature", 0).put("seed", 7)));

        assertEquals("true", header(reordered, CacheStage.HIT));
        assertEquals("false", header(otherTemperature, CacheStage.HIT));
        assertEquals("false", header(otherSeed, CacheStage.HIT));
    }

    @Test
    void anotherInstanceOnTheSameStateFindsTheAnswerInL3AndThenInItsOwnMemory() throws Exception {
        try (Harness other = new Harness(CacheSettings.DEFAULTS, harness.state, null, new FakeUpstream(),
                harness.clock)) {
            harness.call(chat("How tall is Mount Everest?"));

            Response fromShared = other.call(chat("How tall is Mount Everest?"));
            Response fromMemory = other.call(chat("How tall is Mount Everest?"));

            assertEquals("l3", header(fromShared, CacheStage.TIER));
            assertEquals("l1", header(fromMemory, CacheStage.TIER));
            assertEquals("answer to: How tall is Mount Everest?", content(fromShared));
            assertEquals(0, other.upstream.calls.get());
        }
    }

    @Test
    void aParaphraseIsAnsweredByMeaningAndWarmsTheExactTiers() {
        harness.call(chat("How do I reset my password?"));

        Response paraphrase = harness.call(chat("How can I reset my password please?"));
        Response again = harness.call(chat("How can I reset my password please?"));

        assertEquals("l2", header(paraphrase, CacheStage.TIER));
        assertEquals("answer to: How do I reset my password?", content(paraphrase));
        double similarity = Double.parseDouble(header(paraphrase, CacheStage.SIMILARITY));
        assertTrue(similarity >= CacheSettings.DEFAULT_THRESHOLD && similarity <= 1.0001, "similarity " + similarity);
        assertEquals("l1", header(again, CacheStage.TIER));
        assertNull(header(again, CacheStage.SIMILARITY));
        assertEquals(1, harness.upstream.calls.get());
    }

    @Test
    void aQuestionNamingAnotherNumberOrEntityIsNeverAnsweredByMeaning() {
        harness.call(chat("Please refund order 1234"));
        harness.call(chat("What is the capital of France?"));

        Response otherOrder = harness.call(chat("Please refund order 1243"));
        Response otherCountry = harness.call(chat("What is the capital of Germany?"));
        Response lowerCase = harness.call(chat("what is the capital of spain?"));

        assertEquals("answer to: Please refund order 1243", content(otherOrder));
        assertEquals("answer to: What is the capital of Germany?", content(otherCountry));
        assertEquals("answer to: what is the capital of spain?", content(lowerCase));
        assertEquals(5, harness.upstream.calls.get());
    }

    @Test
    void theSameQuestionUnderAnotherSystemPromptOrEarlierTurnIsAMiss() {
        harness.call(chat("Summarise our refund policy."));

        Response otherSystem = harness.call(chat("Summarise our refund policy.", o -> {
            ((ObjectNode) o.withArray("messages").get(0)).put("content", "You are a pirate.");
            return o;
        }));
        Response otherModel = harness.call(chat("Summarise our refund policy.", o -> o.put("model", "gpt-4o")));
        Response otherHistory = harness.call(chat("Summarise our refund policy.", o -> {
            ArrayNode messages = o.withArray("messages");
            messages.insertObject(1).put("role", "user").put("content", "We are a bakery.");
            messages.insertObject(2).put("role", "assistant").put("content", "Noted.");
            return o;
        }));

        assertEquals("false", header(otherSystem, CacheStage.HIT));
        assertEquals("false", header(otherModel, CacheStage.HIT));
        assertEquals("false", header(otherHistory, CacheStage.HIT));
    }

    @Test
    void requestsWithToolsAreCachedExactlyButNeverByMeaning() {
        harness.call(chat("What is the weather in Paris today?", MetaCacheTest::withTool));

        Response same = harness.call(chat("What is the weather in Paris today?", MetaCacheTest::withTool));
        Response paraphrase = harness.call(chat("What's the weather in Paris today please?",
                MetaCacheTest::withTool));

        assertEquals("l1", header(same, CacheStage.TIER));
        assertEquals("false", header(paraphrase, CacheStage.HIT));
    }

    private static ObjectNode withTool(ObjectNode body) {
        body.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "weather");
        return body;
    }

    @Test
    void tenantsNeverSeeEachOthersEntries() {
        harness.call(APP_A, chat("What is our discount code?"));

        Response otherTenant = harness.call(APP_B, chat("What is our discount code?"));
        Response sameTenant = harness.call(APP_A, chat("What is our discount code?"));

        assertEquals("false", header(otherTenant, CacheStage.HIT));
        assertEquals("true", header(sameTenant, CacheStage.HIT));
        assertEquals(2, harness.upstream.calls.get());
    }

    @Test
    void aSharedNamespaceIsSharedByTenantsOnlyWhenConfigured() throws Exception {
        try (Harness shared = new Harness(CacheSettings.builder().sharedNamespaces(Set.of("faq")).build())) {
            shared.call(APP_A, chat("What are your opening hours?"), "x-smartflow-cache-namespace", "faq");

            Response otherTenantShared = shared.call(APP_B, chat("What are your opening hours?"),
                    "x-smartflow-cache-namespace", "faq");
            Response otherTenantDefault = shared.call(APP_B, chat("What are your opening hours?"));

            assertEquals("true", header(otherTenantShared, CacheStage.HIT));
            assertEquals("false", header(otherTenantDefault, CacheStage.HIT));
        }
        harness.call(APP_A, chat("What are your opening hours?"), "x-smartflow-cache-namespace", "faq");
        Response notConfigured = harness.call(APP_B, chat("What are your opening hours?"),
                "x-smartflow-cache-namespace", "faq");
        assertEquals("false", header(notConfigured, CacheStage.HIT));
    }

    @Test
    void namespacesSeparateEntries() {
        harness.call(chat("Tell me a fact about owls."), "x-smartflow-cache-namespace", "zoo");

        Response otherNamespace = harness.call(chat("Tell me a fact about owls."));
        Response sameNamespace = harness.call(chat("Tell me a fact about owls."), "x-smartflow-cache-namespace",
                "zoo");

        assertEquals("false", header(otherNamespace, CacheStage.HIT));
        assertEquals("true", header(sameNamespace, CacheStage.HIT));
    }

    @Test
    void noCacheSkipsTheReadButStoresTheFreshAnswer() {
        harness.call(chat("What is 2 + 2?"));

        Response bypassed = harness.call(chat("What is 2 + 2?"), "cache-control", "no-cache");
        Response after = harness.call(chat("What is 2 + 2?"));

        assertEquals("false", header(bypassed, CacheStage.HIT));
        assertEquals("true", header(after, CacheStage.HIT));
        assertEquals(2, harness.upstream.calls.get());
    }

    @Test
    void noStoreReadsButDoesNotWrite() {
        Response first = harness.call(chat("Who wrote Hamlet?"), "Cache-Control", "private, no-store");
        Response second = harness.call(chat("Who wrote Hamlet?"));
        Response third = harness.call(chat("Who wrote Hamlet?"), "cache-control", "no-store");

        assertEquals("false", header(first, CacheStage.HIT));
        assertEquals("false", header(second, CacheStage.HIT));
        assertEquals("true", header(third, CacheStage.HIT));
    }

    @Test
    void anEntryExpiresAfterItsTtl() {
        harness.call(chat("What time zone is Tokyo in?"), "x-smartflow-cache-ttl", "60");

        harness.clock.advance(Duration.ofSeconds(59));
        Response fresh = harness.call(chat("What time zone is Tokyo in?"));
        harness.clock.advance(Duration.ofSeconds(2));
        Response expired = harness.call(chat("What time zone is Tokyo in?"));

        assertEquals("true", header(fresh, CacheStage.HIT));
        assertEquals("false", header(expired, CacheStage.HIT));
    }

    @Test
    void theThresholdHeaderDecidesHowCloseAParaphraseMustBe() {
        harness.call(chat("How do I reset my password?"));
        String paraphrase = "How do I reset my account password?";
        double similarity = dot(new WordEmbedder().embed("How do I reset my password?"),
                new WordEmbedder().embed(paraphrase));
        assertTrue(similarity > 0.80 && similarity < 0.99, "similarity " + similarity);

        Response strict = harness.call(chat(paraphrase), "x-smartflow-cache-threshold",
                Double.toString(similarity + 0.005), "cache-control", "no-store");
        Response lenient = harness.call(chat(paraphrase), "x-smartflow-cache-threshold",
                Double.toString(similarity - 0.005));

        assertEquals("false", header(strict, CacheStage.HIT));
        assertEquals("l2", header(lenient, CacheStage.TIER));
    }

    private static double dot(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    @Test
    void badControlValuesAreRefusedWithA400NamingTheHeader() {
        String[][] bad = {
            {"x-smartflow-cache-ttl", "0"}, {"x-smartflow-cache-ttl", "999999999"}, {"x-smartflow-cache-ttl", "1h"},
            {"x-smartflow-cache-namespace", "a b"}, {"x-smartflow-cache-namespace", "x".repeat(65)},
            {"x-smartflow-cache-threshold", "0.5"}, {"x-smartflow-cache-threshold", "1.01"},
            {"x-smartflow-cache-threshold", "NaN"}, {"x-smartflow-cache-threshold", "high"},
        };
        for (String[] header : bad) {
            InvalidRequest refused = assertThrows(InvalidRequest.class,
                    () -> harness.call(chat("hello"), header[0], header[1]), header[0] + ": " + header[1]);
            assertEquals(header[0], refused.param().orElseThrow());
        }
        assertEquals(0, harness.upstream.calls.get());
    }

    @Test
    void severalChoicesAndHighTemperaturesAreNeverCached() {
        harness.call(chat("Write a haiku.", o -> o.put("n", 2)));
        harness.call(chat("Write a haiku.", o -> o.put("temperature", 1.5)));

        Response choices = harness.call(chat("Write a haiku.", o -> o.put("n", 2)));
        Response hot = harness.call(chat("Write a haiku.", o -> o.put("temperature", 1.5)));

        assertEquals("false", header(choices, CacheStage.HIT));
        assertEquals("false", header(hot, CacheStage.HIT));
        assertNull(header(hot, CacheStage.KEY));
        assertEquals(4, harness.upstream.calls.get());
    }

    @Test
    void theTemperatureLimitIsConfigurable() throws Exception {
        try (Harness tolerant = new Harness(CacheSettings.builder().maxTemperature(2).build())) {
            tolerant.call(chat("Write a haiku.", o -> o.put("temperature", 1.5)));
            Response hot = tolerant.call(chat("Write a haiku.", o -> o.put("temperature", 1.5)));
            assertEquals("true", header(hot, CacheStage.HIT));
        }
    }

    @Test
    void errorsToolCallsAndFilteredAnswersAreNotStored() {
        harness.upstream.answer("/v1/chat/completions", FakeUpstream.json(200, FakeUpstream.openAi("x")
                .replace("\"stop\"", "\"content_filter\"")));
        harness.call(chat("Filtered question"));
        assertEquals("false", header(harness.call(chat("Filtered question")), CacheStage.HIT));

        harness.upstream.answer("/v1/chat/completions", FakeUpstream.json(200, """
                {"id":"c","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,\
                "message":{"role":"assistant","content":null,"tool_calls":[{"id":"t","type":"function",\
                "function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],\
                "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""));
        harness.call(chat("Call a tool"));
        assertEquals("false", header(harness.call(chat("Call a tool")), CacheStage.HIT));

        harness.upstream.answer("/v1/chat/completions", FakeUpstream.json(500,
                "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
        assertThrows(RuntimeException.class, () -> harness.call(chat("Failing question")));
        assertThrows(RuntimeException.class, () -> harness.call(chat("Failing question")));
        assertEquals(6, harness.upstream.calls.get());
    }

    @Test
    void aHitIsAuditedWithItsTierAndCostsNothing() {
        harness.call(chat("What is the boiling point of water?"));
        harness.call(chat("What is the boiling point of water?"));

        AuditRecord miss = harness.audits.get(0);
        AuditRecord hit = harness.audits.get(1);
        assertTrue(!miss.cached() && miss.costMicros() > 0);
        assertTrue(hit.cached());
        assertEquals("l1", hit.hitType().orElseThrow());
        assertEquals(0, hit.costMicros());
        assertEquals("none", hit.provider());
    }

    @Test
    void statisticsCountHitsByTierTokensAndCostSaved() throws Exception {
        harness.call(chat("What is the speed of light?"));
        harness.call(chat("What is the speed of light?"));
        harness.call(chat("What is the speed of light please?"));
        try (Harness other = new Harness(CacheSettings.DEFAULTS, harness.state, null, new FakeUpstream(),
                harness.clock)) {
            other.call(chat("What is the speed of light?"));

            other.cache.stats(); // flushes what the other instance counted
            CacheStats stats = harness.cache.stats();

            assertEquals(3, stats.hits());
            assertEquals(1, stats.misses());
            assertEquals(1, stats.l1Hits());
            assertEquals(1, stats.l2Hits());
            assertEquals(1, stats.l3Hits());
            assertEquals(0.75, stats.hitRate());
            assertEquals(4, stats.totalRequests());
            assertEquals(90, stats.tokensSaved());
            // gpt-4o-mini-2024-07-18: 20 prompt tokens at $0.15/M and 10 completion at $0.60/M = 9 micro-USD per hit
            assertEquals(27, stats.costSavedMicros());
            assertEquals(2, stats.entries());
            assertEquals(stats, other.cache.stats());
        }
    }

    @Test
    void clearingANamespaceRemovesItsEntriesFromEveryTierAndInstance() throws Exception {
        try (Harness other = new Harness(CacheSettings.DEFAULTS, harness.state, null, new FakeUpstream(),
                harness.clock)) {
            harness.call(chat("Keep me"));
            harness.call(chat("Drop me"), "x-smartflow-cache-namespace", "tmp");
            other.call(chat("Drop me"), "x-smartflow-cache-namespace", "tmp");

            long cleared = harness.cache.clear("tmp");

            assertEquals(1, cleared);
            assertEquals("false", header(other.call(chat("Drop me"), "x-smartflow-cache-namespace", "tmp"),
                    CacheStage.HIT));
            assertEquals("true", header(other.call(chat("Keep me")), CacheStage.HIT));
            assertEquals(2, harness.cache.stats().entries());
            assertEquals(2, harness.cache.clear());
            assertEquals("false", header(harness.call(chat("Keep me")), CacheStage.HIT));
        }
    }

    @Test
    void aKeyLimitedToOtherProvidersIsNotServedThisProvidersAnswer() {
        Principal openAiKey = key("key_open", Set.of(), "acme");
        Principal anthropicOnly = key("key_claude", Set.of("anthropic"), "acme");
        harness.call(openAiKey, chat("Explain recursion."));

        Response sameOrg = harness.call(key("key_other", Set.of(), "acme"), chat("Explain recursion."));

        assertEquals("true", header(sameOrg, CacheStage.HIT));
        // not served from the cache: the call goes on to routing, which refuses the provider as it would anyway
        assertThrows(PermissionDenied.class, () -> harness.call(anthropicOnly, chat("Explain recursion.")));
    }

    private static Principal key(String id, Set<String> providers, String org) {
        return Principal.of(VirtualKey.builder(KeyId.of(id), id, "owner", "hash-" + id, Instant.EPOCH)
                .allowedProviders(providers).tags(Map.of("org", org)).build());
    }

    @Test
    void aDisabledCachePassesEverythingThrough() throws Exception {
        try (Harness off = new Harness(CacheSettings.builder().enabled(false).build())) {
            off.call(chat("Hello there"));
            Response second = off.call(chat("Hello there"));
            assertNull(header(second, CacheStage.HIT));
            assertEquals(2, off.upstream.calls.get());
        }
    }

    @Test
    void theSharedStateBeingDownMakesEveryCallAMissNotAFailure() throws Exception {
        InMemorySharedState state = new InMemorySharedState(new FakeClock(), Runnable::run);
        try (Harness fragile = new Harness(CacheSettings.DEFAULTS, state, null, new FakeUpstream(),
                new FakeClock())) {
            fragile.call(chat("Is it stored?"));
            state.close();

            Response served = fragile.call(chat("Is it still answered?"));

            assertEquals("answer to: Is it still answered?", content(served));
        }
    }
}
