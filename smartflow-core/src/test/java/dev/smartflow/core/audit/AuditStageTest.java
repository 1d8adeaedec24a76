package dev.smartflow.core.audit;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.Slot;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.error.Unauthorized;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.FakeTicker;
import dev.smartflow.core.testing.FedChunkStream;
import dev.smartflow.core.testing.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AuditStageTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final String TOKEN = "sk-sf-test";
    private static final VirtualKey KEY = VirtualKey.builder(KeyId.of("key_1"), "ci", "alice", "hash", NOW)
            .tags(Map.of("team", "search", "org", "acme")).build();

    private final List<AuditRecord> records = new CopyOnWriteArrayList<>();
    private final FakeTicker ticker = new FakeTicker();
    private final FakeProvider openai = new FakeProvider("openai");
    private final Smartflow smartflow = Smartflow.builder()
            .resolver(new FakeResolver(openai))
            .authenticator(token -> token.equals(TOKEN) ? Optional.of(Principal.of(KEY)) : Optional.empty())
            .pricing((provider, model) -> Optional.of(TokenPrice.perMillion(1_000_000, 1_000_000, 2_000_000)))
            .ticker(ticker)
            .clock(() -> NOW)
            .addAuditListener(records::add)
            .build();

    private static Exchange chat(String token, String extra) {
        return Exchange.of(Operation.CHAT, body("{'model':'gpt-4o'," + extra
                        + "'messages':[{'role':'user','content':'hi'}]}"),
                Headers.EMPTY.with("authorization", "Bearer " + token));
    }

    private AuditRecord onlyRecord() {
        assertEquals(1, records.size(), () -> "records: " + records);
        return records.getFirst();
    }

    @Test
    void aServedCallIsRecordedWithWhoWhereWhatItCostAndHowLong() {
        // given
        openai.answer(exchange -> {
            ticker.advance(Duration.ofMillis(42));
            return Response.Complete.json(Json.body("{'model':'gpt-4o','choices':[],"
                    + "'usage':{'prompt_tokens':10,'completion_tokens':5,'total_tokens':15}}"));
        });
        Exchange call = chat(TOKEN, "'user':'bob',");

        // when
        smartflow.execute(call);

        // then
        AuditRecord record = onlyRecord();
        assertEquals(call.id().value(), record.requestId());
        assertEquals(NOW, record.timestamp());
        assertEquals(Optional.of(KeyId.of("key_1")), record.keyId());
        assertEquals(Optional.of("bob"), record.userId(), "the body's user wins over the key's owner");
        assertEquals(Optional.of("acme"), record.orgId());
        assertEquals(Optional.of("search"), record.teamId());
        assertEquals("/v1/chat/completions", record.route());
        assertEquals("openai", record.provider());
        assertEquals("gpt-4o", record.model());
        assertEquals(10, record.promptTokens());
        assertEquals(5, record.completionTokens());
        assertEquals(20, record.costMicros(), "10 x 1 + 5 x 2 micro-USD");
        assertEquals(42_000, record.latencyMicros());
        assertEquals(200, record.status());
        assertEquals(Optional.empty(), record.error());
    }

    @Test
    void aRefusedKeyIsRecordedWithItsStatusAndNoProvider() {
        // when
        assertThrows(Unauthorized.class, () -> smartflow.execute(chat("sk-sf-wrong", "")));

        // then
        AuditRecord record = onlyRecord();
        assertEquals(401, record.status());
        assertEquals(Optional.of("invalid_api_key"), record.error());
        assertEquals("none", record.provider());
        assertEquals("gpt-4o", record.model(), "the model asked for");
        assertEquals(Optional.empty(), record.keyId());
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void aRefusedCallWithAHugeModelNameIsRecordedWithItsBeginning() {
        // given: a 30,000-character model name, refused by validation
        String model = "x".repeat(30_000);
        Exchange call = Exchange.of(Operation.CHAT, body("{'model':'" + model + "','user':'" + "u".repeat(600)
                + "','messages':[{'role':'user','content':'hi'}]}"), Headers.EMPTY.with("authorization",
                "Bearer " + TOKEN));

        // when
        SmartflowException refused = assertThrows(SmartflowException.class, () -> smartflow.execute(call));

        // then
        assertEquals(400, refused.status());
        AuditRecord record = onlyRecord();
        assertEquals("x".repeat(AuditRecord.MAX_TEXT - 1) + "\u2026", record.model());
        assertEquals(AuditRecord.MAX_TEXT, record.userId().orElseThrow().length());
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void factsAModuleNotesOnTheTrailReachTheRecord() {
        // given: a module's cache stage that answers and says how, after a compliance stage that scored the call
        Smartflow withModule = Smartflow.builder()
                .resolver(new FakeResolver(openai))
                .authenticator(token -> token.equals(TOKEN) ? Optional.of(Principal.of(KEY)) : Optional.empty())
                .clock(() -> NOW).ticker(ticker).addAuditListener(records::add)
                .install(pipeline -> pipeline
                        .addStage(Slot.PRE_CALL, (exchange, chain) -> {
                            exchange.get(Trail.KEY).orElseThrow().note(Facts.COMPLIANCE,
                                    new Facts.Compliance(0.25, List.of("pii.email")));
                            return chain.proceed(exchange);
                        })
                        .addStage(Slot.CACHE, (exchange, chain) -> {
                            exchange.get(Trail.KEY).orElseThrow().note(Facts.CACHE_HIT, new Facts.CacheHit("exact"));
                            return Response.Complete.json(Json.body("{'cached':true}"));
                        }))
                .build();

        // when
        withModule.execute(chat(TOKEN, ""));

        // then
        AuditRecord record = onlyRecord();
        assertTrue(record.cached());
        assertEquals(Optional.of("exact"), record.hitType());
        assertEquals(0.25, record.complianceScore().orElseThrow());
        assertEquals(List.of("pii.email"), record.complianceFlags());
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void anUpstreamFailureIsRecordedAgainstTheProviderThatFailed() {
        // given
        openai.fail(UpstreamFailure.status("openai", 503, "overloaded", "server_error", null));

        // when
        assertThrows(UpstreamFailure.class, () -> smartflow.execute(chat(TOKEN, "")));

        // then
        AuditRecord record = onlyRecord();
        assertEquals(502, record.status());
        assertEquals("openai", record.provider());
        assertEquals(Optional.of(KeyId.of("key_1")), record.keyId());
        assertTrue(record.failed());
    }

    @Test
    void aStreamIsRecordedWhenItEndsWithTheUsageOfItsLastChunk() {
        // given
        FedChunkStream upstream = new FedChunkStream()
                .feed(Chunk.data(Json.body("{'choices':[{'delta':{'content':'hi'}}]}")));
        openai.reply(new Response.Streamed(200, Headers.EMPTY, upstream));
        Response.Streamed streamed = (Response.Streamed) smartflow.execute(chat(TOKEN,
                "'stream':true,'stream_options':{'include_usage':true},"));

        // when
        streamed.chunks().next();
        boolean recordedBeforeTheEnd = !records.isEmpty();
        upstream.feed(Chunk.data(Json.body("{'choices':[],'usage':{'prompt_tokens':3,'completion_tokens':4}}")))
                .end();
        ticker.advance(Duration.ofMillis(7));
        streamed.chunks().next();
        assertFalse(streamed.chunks().hasNext());
        streamed.chunks().close();

        // then
        assertFalse(recordedBeforeTheEnd);
        AuditRecord record = onlyRecord();
        assertEquals(200, record.status());
        assertEquals(3, record.promptTokens());
        assertEquals(4, record.completionTokens());
        assertEquals(11, record.costMicros());
        assertEquals(7_000, record.latencyMicros());
    }

    @Test
    void aStreamTheClientAbandonsIsRecordedAsClosedOnce() {
        // given
        FedChunkStream upstream = new FedChunkStream()
                .feed(Chunk.data(Json.body("{'choices':[{'delta':{'content':'hi'}}]}")));
        openai.reply(new Response.Streamed(200, Headers.EMPTY, upstream));
        Response.Streamed streamed = (Response.Streamed) smartflow.execute(chat(TOKEN, "'stream':true,"));

        // when
        streamed.chunks().next();
        streamed.chunks().close();
        streamed.chunks().close();

        // then
        AuditRecord record = onlyRecord();
        assertEquals(AuditStage.CLIENT_CLOSED, record.status());
        assertEquals(Optional.of("client_closed_request"), record.error());
        assertTrue(upstream.closed());
    }

    @Test
    void aFailingListenerNeitherFailsTheCallNorStopsTheOthers() {
        // given
        List<AuditRecord> seen = new CopyOnWriteArrayList<>();
        openai.replyJson("{'choices':[]}");
        Smartflow withBrokenListener = Smartflow.builder()
                .resolver(new FakeResolver(openai))
                .addAuditListener(record -> {
                    throw new IllegalStateException("disk full");
                })
                .addAuditListener(seen::add)
                .build();

        // when
        Response response = withBrokenListener.execute(Exchange.of(Operation.CHAT,
                body("{'model':'gpt-4o','messages':[{'role':'user','content':'hi'}]}"), Headers.EMPTY));

        // then
        assertEquals(200, response.status());
        assertEquals(1, seen.size());
        assertEquals(Optional.empty(), seen.getFirst().keyId());
    }
}
