package dev.smartflow.providers.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.model.Cost;
import dev.smartflow.core.model.Usage;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A metered stream whose caller did not ask for usage: the adapter asks the upstream for it where the vendor takes the
 * field, the cost stage prices the stream from it, and the caller never sees it. The fake upstream behaves as OpenAI
 * does: the usage chunk comes only when {@code stream_options.include_usage} was sent.
 */
@Timeout(20)
final class OpenAiStreamUsageTest {
    private static final String UNASKED = """
            {"model":"gpt-4o-mini","stream":true,"temperature":0.2,\
            "messages":[{"role":"user","content":"Capital?"}]}""";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private ProviderRegistry registry;

    @BeforeEach
    void answerLikeOpenAi() {
        String transcript = Fixtures.text("chat-stream.sse");
        String withoutUsage = transcript.substring(0, transcript.lastIndexOf("data: {")) + "data: [DONE]\n\n";
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                boolean asked = WireFixtures.json(request.getBody().utf8()).path("stream_options")
                        .path("include_usage").asBoolean(false);
                return WireFixtures.sse(asked ? transcript : withoutUsage);
            }
        });
    }

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private ProviderRegistry registry(String vendor) {
        registry = ProviderRegistry.builder()
                .environment(Map.of(vendor.toUpperCase() + "_API_KEY", Fixtures.KEY,
                        vendor.toUpperCase() + "_API_BASE", server.url("/v1").toString()))
                .build();
        return registry;
    }

    private static Exchange metered(String body) {
        return Exchange.of(Operation.CHAT, Body.json(body), Headers.EMPTY).with(CostMeter.KEY, new CostMeter());
    }

    private JsonNode sent() throws InterruptedException {
        return WireFixtures.json(server.takeRequest().getBody().utf8());
    }

    @Test
    void aMeteredStreamAsksTheUpstreamForUsageKeepingEverythingElse() throws Exception {
        WireFixtures.readAll(((Response.Streamed) registry("openai").resolve("gpt-4o-mini").provider()
                .call(metered(UNASKED), "gpt-4o-mini")).chunks());

        JsonNode sent = sent();
        assertTrue(sent.path("stream_options").path("include_usage").asBoolean());
        assertEquals(0.2, sent.path("temperature").asDouble());
        assertEquals("Capital?", sent.at("/messages/0/content").asText());
    }

    @Test
    void streamOptionsTheCallerSentAreKept() throws Exception {
        String body = UNASKED.replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"x_keep\":1}");

        WireFixtures.readAll(((Response.Streamed) registry("openai").resolve("gpt-4o-mini").provider()
                .call(metered(body), "gpt-4o-mini")).chunks());

        assertEquals(WireFixtures.json("{\"x_keep\":1,\"include_usage\":true}"), sent().path("stream_options"));
    }

    @Test
    void withoutAMeterOrWhenTheCallerAskedTheBodyGoesUntouched() throws Exception {
        String asked = UNASKED.replace("\"stream\":true",
                "\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        var openai = registry("openai").resolve("gpt-4o-mini").provider();

        WireFixtures.readAll(((Response.Streamed) openai.call(Exchange.of(Operation.CHAT, Body.json(UNASKED),
                Headers.EMPTY), "gpt-4o-mini")).chunks());
        WireFixtures.readAll(((Response.Streamed) openai.call(metered(asked), "gpt-4o-mini")).chunks());

        assertEquals(UNASKED, server.takeRequest().getBody().utf8(), "nobody would read the usage");
        assertEquals(asked, server.takeRequest().getBody().utf8(), "the caller asked already");
    }

    @Test
    void vendorsThatRejectTheFieldAndServersOfUnknownDialectAreNotAsked() throws Exception {
        ProviderRegistry vendors = ProviderRegistry.builder()
                .environment(Map.of("MISTRAL_API_KEY", Fixtures.KEY, "MISTRAL_API_BASE", server.url("/v1").toString()))
                .provider(ProviderSettings.of("vllm").withApiBase(server.url("/v1").toString()))
                .build();
        registry = vendors;

        WireFixtures.readAll(((Response.Streamed) vendors.resolve("mistral/mistral-small-2506").provider()
                .call(metered(UNASKED), "mistral-small-2506")).chunks());
        WireFixtures.readAll(((Response.Streamed) vendors.resolve("vllm/qwen3").provider()
                .call(metered(UNASKED), "qwen3")).chunks());

        assertFalse(sent().has("stream_options"), "Mistral answers 422 to stream_options");
        assertFalse(sent().has("stream_options"), "a declared server may not know the field");
    }

    @Test
    void throughThePipelineTheCallerSeesNoUsageChunkAndTheStreamIsPriced() throws Exception {
        // given: the gateway as the server builds it, pricing from the bundled catalog
        ProviderRegistry providers = registry("openai");
        CostMeter meter = new CostMeter();
        try (Smartflow smartflow = Smartflow.builder().resolver(providers).pricing(providers.catalog()).build()) {
            Exchange exchange = Exchange.of(Operation.CHAT, Body.json(UNASKED), Headers.EMPTY)
                    .withPrincipal(Principal.embedded("test")).with(CostMeter.KEY, meter);

            // when
            List<Chunk> seen = WireFixtures.readAll(((Response.Streamed) smartflow.execute(exchange)).chunks());

            // then: the upstream was asked, the caller got the six choice chunks only
            assertTrue(sent().path("stream_options").path("include_usage").asBoolean());
            List<String> expected = Fixtures.dataOf(Fixtures.text("chat-stream.sse")).subList(0, 6);
            assertEquals(expected, seen.stream().map(c -> c.data().utf8()).toList());
            // 24 prompt + 8 completion tokens on gpt-4o-mini at $0.15/$0.60 per 1M = 3.6 + 4.8 = 8.4 -> 8 micro-USD
            assertEquals(Optional.of(Cost.priced(8)), meter.cost());
            assertEquals(Optional.of(new Usage(24, 8, 32, 0)), meter.usage());
        }
    }
}
