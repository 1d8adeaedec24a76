package dev.smartflow.core.runs;

import static dev.smartflow.core.testing.Json.body;
import static dev.smartflow.core.testing.Json.completion;
import static dev.smartflow.core.testing.Json.delta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.Pipeline;
import dev.smartflow.core.budget.WorstCases;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.cost.CostStage;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.RequestId;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.TraceId;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.routing.RoutePlanner;
import dev.smartflow.core.routing.RouteStage;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.FakeTicker;
import dev.smartflow.core.testing.FedChunkStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunStageTest {
    /** 1 micro-USD per prompt token, 2 per completion token. */
    private static final Pricing PRICING = (provider, model) -> model.equals("m")
            ? Optional.of(TokenPrice.perMillion(1_000_000, 1_000_000, 2_000_000)) : Optional.empty();
    private static final ModuleOperation TOOL = new ModuleOperation("mcp.rpc", "/mcp", true, false);

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T10:00:00Z"));
    private final InstantSource clock = now::get;
    private final InMemorySharedState state = new InMemorySharedState(new FakeTicker(), Runnable::run);
    private final FakeProvider openai = new FakeProvider("openai");
    private final FakeResolver resolver = new FakeResolver(openai);
    private Runs runs = Runs.withoutPoll(state, clock, RunSettings.DEFAULTS);
    private Pipeline pipeline = pipeline(runs);

    private Pipeline pipeline(Runs governing) {
        return Pipeline.builder()
                .addStage(new RunStage(governing, new WorstCases(RoutePlanner.direct(resolver), PRICING, 10, 0)))
                // a module's stage: answers its own operation
                .addStage((exchange, chain) -> exchange.operation() instanceof ModuleOperation
                        ? Response.Complete.json(body("{'ok':true}")) : chain.proceed(exchange))
                .route(new RouteStage(resolver))
                .addAttemptStage(new CostStage(PRICING))
                .build();
    }

    private void settings(RunSettings settings) {
        runs.close();
        runs = Runs.withoutPoll(state, clock, settings);
        pipeline = pipeline(runs);
    }

    @AfterEach
    void close() {
        runs.close();
    }

    private static VirtualKey key(Map<String, String> tags) {
        return VirtualKey.builder(KeyId.of("key_1"), "agent", "team-a", "hash", Instant.parse("2026-01-01T00:00:00Z"))
                .tags(tags).build();
    }

    private static Exchange chat(String trace, VirtualKey key, Headers headers) {
        return new Exchange(RequestId.random(), new TraceId(trace), Operation.CHAT, Principal.of(key),
                body("{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'hi'}]}"), headers,
                dev.smartflow.core.exchange.Attributes.EMPTY).with(CostMeter.KEY, new CostMeter());
    }

    private static Exchange chat(String trace, VirtualKey key) {
        return chat(trace, key, Headers.EMPTY);
    }

    private static Exchange tool(String trace, VirtualKey key, String arguments) {
        return new Exchange(RequestId.random(), new TraceId(trace), TOOL, Principal.of(key), Body.EMPTY,
                Headers.EMPTY, dev.smartflow.core.exchange.Attributes.EMPTY)
                .with(RunCall.KEY, RunCall.tool("server\u0000search\u0000" + arguments));
    }

    private static Exchange hop(String trace, VirtualKey key) {
        return new Exchange(RequestId.random(), new TraceId(trace), TOOL, Principal.of(key), Body.EMPTY,
                Headers.EMPTY, dev.smartflow.core.exchange.Attributes.EMPTY).with(RunCall.KEY, RunCall.agentHop());
    }

    @Test
    void llmCallsOverTheRunsCapAreRefusedWith429AndTheRunIsMarked() {
        VirtualKey key = key(Map.of("run_max_llm_calls", "2"));
        openai.reply(completion("a", 1, 1)).reply(completion("b", 1, 1)).reply(completion("c", 1, 1));

        pipeline.execute(chat("run-1", key));
        pipeline.execute(chat("run-1", key));
        RunRefused refused = assertThrows(RunRefused.class, () -> pipeline.execute(chat("run-1", key)));

        assertEquals(429, refused.status());
        assertEquals(Optional.of(RunRefused.STEPS), refused.code());
        assertEquals(2, openai.calls().size());
        assertEquals(Optional.of(new RunState(RunState.LIMIT_HIT, Optional.of("max_llm_calls"))),
                runs.state("run-1"));
        // another run of the same key has its own count
        pipeline.execute(chat("run-2", key));
        assertEquals(3, openai.calls().size());
    }

    @Test
    void aCallWhoseWorstCaseDoesNotFitTheRunsBudgetNeverReachesTheProvider() {
        // worst case: (body bytes / 4) prompt tokens at 1 + 10 completion tokens at 2 micro-USD
        long worst = new WorstCases(RoutePlanner.direct(resolver), PRICING, 10, 0).micros(chat("t", key(Map.of())));
        VirtualKey key = key(Map.of("run_max_cost_usd", usd(worst - 1)));

        RunRefused refused = assertThrows(RunRefused.class, () -> pipeline.execute(chat("run-1", key)));

        assertEquals(Optional.of(RunRefused.BUDGET), refused.code());
        assertEquals(0, openai.calls().size());
        assertEquals(Optional.of("max_cost_usd"), runs.state("run-1").orElseThrow().limit());
    }

    @Test
    void theRunsBudgetHoldsTheWorstCaseAndSettlesWhatTheCallCost() {
        long worst = new WorstCases(RoutePlanner.direct(resolver), PRICING, 10, 0).micros(chat("t", key(Map.of())));
        // room for one worst case and one call's actual cost (3 + 5 * 2 = 13 micro-USD)
        VirtualKey key = key(Map.of("run_max_cost_usd", usd(worst + 13)));
        openai.reply(completion("a", 3, 5)).reply(completion("b", 3, 5)).reply(completion("c", 3, 5));

        pipeline.execute(chat("run-1", key));

        // the hold gave way to the actual cost, so a second worst case fits; after it, a third does not
        assertEquals(Optional.of("13"), state.hashGet("run:run-1", "cost"));
        pipeline.execute(chat("run-1", key));
        assertEquals(Optional.of("26"), state.hashGet("run:run-1", "cost"));
        assertThrows(RunRefused.class, () -> pipeline.execute(chat("run-1", key)));
        assertEquals(2, openai.calls().size());
    }

    @Test
    void headersMayTightenWhatTheKeysTagsSetButNeverLoosenIt() {
        VirtualKey key = key(Map.of("run_max_llm_calls", "2"));
        for (int i = 0; i < 5; i++) {
            openai.reply(completion("x", 1, 1));
        }

        pipeline.execute(chat("tight", key, Headers.of("x-smartflow-run-max-llm-calls", "1")));
        assertThrows(RunRefused.class, () -> pipeline.execute(chat("tight", key,
                Headers.of("x-smartflow-run-max-llm-calls", "1"))));

        pipeline.execute(chat("loose", key, Headers.of("x-smartflow-run-max-llm-calls", "10")));
        pipeline.execute(chat("loose", key, Headers.of("x-smartflow-run-max-llm-calls", "10")));
        assertThrows(RunRefused.class, () -> pipeline.execute(chat("loose", key,
                Headers.of("x-smartflow-run-max-llm-calls", "10"))));
    }

    @Test
    void aHeaderAloneLimitsARunWhoseKeySetsNothing() {
        openai.reply(completion("x", 1, 1));
        Headers one = Headers.of("x-smartflow-run-max-llm-calls", "1");

        pipeline.execute(chat("run-1", key(Map.of()), one));

        assertThrows(RunRefused.class, () -> pipeline.execute(chat("run-1", key(Map.of()), one)));
    }

    @Test
    void aRunLimitHeaderThatIsNotANumberIsA400() {
        InvalidRequest refused = assertThrows(InvalidRequest.class, () -> pipeline.execute(chat("run-1",
                key(Map.of()), Headers.of("x-smartflow-run-max-cost-usd", "lots"))));

        assertEquals(Optional.of("invalid_run_limit"), refused.code());
        assertEquals(0, openai.calls().size());
    }

    @Test
    void aCallWithoutRunLimitsLeavesNoRunStateBehind() {
        openai.reply(completion("x", 1, 1));

        pipeline.execute(chat("run-1", key(Map.of())));

        assertEquals(Map.of(), state.hashGetAll("run:run-1"));
        assertEquals(Optional.empty(), runs.state("run-1"));
    }

    @Test
    void aStoppedRunIsRefusedWith409WhileOtherRunsGoOn() {
        openai.reply(completion("x", 1, 1));

        runs.stop("run-1");

        RunRefused refused = assertThrows(RunRefused.class, () -> pipeline.execute(chat("run-1", key(Map.of()))));
        assertEquals(409, refused.status());
        assertEquals(Optional.of(RunRefused.STOPPED), refused.code());
        pipeline.execute(chat("run-2", key(Map.of())));
        assertEquals(1, openai.calls().size());
        assertEquals(RunState.STOPPED, runs.state("run-1").orElseThrow().state());
    }

    @Test
    void aStopOnAnotherInstanceReachesThisOneThroughPubSub() {
        try (Runs other = Runs.withoutPoll(state, clock, RunSettings.DEFAULTS)) {
            other.stop("run-1");
        }

        assertTrue(runs.stopped("run-1"));
        assertThrows(RunRefused.class, () -> pipeline.execute(chat("run-1", key(Map.of()))));
    }

    @Test
    void aStopWhoseMessageWasLostIsFoundByTheNextRefresh() {
        // another instance wrote the stop, its message never arrived here
        state.hashPut(Runs.STOPPED, "run-1", Long.toString(clock.millis()));
        assertFalse(runs.stopped("run-1"));

        runs.refresh();

        assertTrue(runs.stopped("run-1"));
    }

    @Test
    void aStreamInFlightEndsWithRunStoppedAtItsNextChunk() {
        FedChunkStream upstream = new FedChunkStream().feed(delta("Hel"));
        openai.reply(new Response.Streamed(200, Headers.EMPTY, upstream));
        Exchange call = chat("run-1", key(Map.of()));
        Response.Streamed response = assertInstanceOf(Response.Streamed.class,
                pipeline.execute(call.withBody(call.body().edit(o -> o.put("stream", true)))));
        assertTrue(response.chunks().hasNext());
        response.chunks().next();

        runs.stop("run-1");
        upstream.feed(delta("lo"));

        RunRefused refused = assertThrows(RunRefused.class, () -> response.chunks().hasNext());
        assertEquals(Optional.of(RunRefused.STOPPED), refused.code());
        assertTrue(upstream.closed());
    }

    @Test
    void aStopCancelsTheUpstreamReadOfASilentStreamAtOnce() {
        AtomicReference<Cancellation> seen = new AtomicReference<>();
        openai.answer(exchange -> {
            Cancellation cancellation = exchange.get(Cancellation.KEY).orElseThrow();
            seen.set(cancellation);
            // an upstream that sent one chunk and then nothing: its read ends only when the call is cancelled
            return new Response.Streamed(200, Headers.EMPTY, new ChunkStream() {
                private boolean first = true;

                @Override
                public boolean hasNext() {
                    if (first) {
                        return true;
                    }
                    if (cancellation.cancelled()) {
                        throw new IllegalStateException("the upstream call was cancelled");
                    }
                    throw new AssertionError("the read would block: the upstream sends nothing more");
                }

                @Override
                public Chunk next() {
                    first = false;
                    return delta("Hel");
                }

                @Override
                public void close() {
                }
            });
        });
        Exchange call = chat("run-1", key(Map.of()));
        Response.Streamed response = assertInstanceOf(Response.Streamed.class,
                pipeline.execute(call.withBody(call.body().edit(o -> o.put("stream", true)))));
        response.chunks().next();

        runs.stop("run-1");

        assertTrue(seen.get().cancelled(), "the stop cancels the call in flight, without waiting for a chunk");
        RunRefused refused = assertThrows(RunRefused.class, () -> response.chunks().hasNext());
        assertEquals(Optional.of(RunRefused.STOPPED), refused.code());
    }

    @Test
    void aCallThatEndedIsNoLongerWatchedByItsRun() {
        AtomicReference<Cancellation> seen = new AtomicReference<>();
        openai.answer(exchange -> {
            seen.set(exchange.get(Cancellation.KEY).orElseThrow());
            return Response.Complete.json(body("{'choices':[],'usage':{'prompt_tokens':1,'completion_tokens':1}}"));
        });
        pipeline.execute(chat("run-1", key(Map.of())));

        runs.stop("run-1");

        assertFalse(seen.get().cancelled());
    }

    @Test
    void theSameToolWithTheSameArgumentsIsRefusedAsALoopAtTheThreshold() {
        settings(RunSettings.DEFAULTS.withLoopThreshold(3));
        VirtualKey key = key(Map.of());

        pipeline.execute(tool("run-1", key, "{\"q\":\"x\"}"));
        pipeline.execute(tool("run-1", key, "{\"q\":\"x\"}"));
        RunRefused refused = assertThrows(RunRefused.class,
                () -> pipeline.execute(tool("run-1", key, "{\"q\":\"x\"}")));

        assertEquals(Optional.of(RunRefused.LOOP), refused.code());
        assertEquals(Optional.of("loop_threshold"), runs.state("run-1").orElseThrow().limit());
        // other arguments, or another run, are no loop
        pipeline.execute(tool("run-1", key, "{\"q\":\"y\"}"));
        pipeline.execute(tool("run-2", key, "{\"q\":\"x\"}"));
    }

    @Test
    void toolCallsAndAgentHopsHaveTheirOwnCaps() {
        VirtualKey key = key(Map.of("run_max_tool_calls", "1", "run_max_agent_hops", "1"));

        pipeline.execute(tool("run-1", key, "{}"));
        pipeline.execute(hop("run-1", key));

        assertEquals("max_tool_calls", assertThrows(RunRefused.class,
                () -> pipeline.execute(tool("run-1", key, "{\"other\":1}"))).limit());
        assertEquals("max_agent_hops", assertThrows(RunRefused.class,
                () -> pipeline.execute(hop("run-1", key))).limit());
    }

    @Test
    void aRunPastItsWallTimeIsRefused() {
        VirtualKey key = key(Map.of("run_max_seconds", "60"));
        openai.reply(completion("x", 1, 1)).reply(completion("y", 1, 1));
        pipeline.execute(chat("run-1", key));

        now.set(now.get().plus(Duration.ofSeconds(61)));

        assertEquals("max_seconds", assertThrows(RunRefused.class,
                () -> pipeline.execute(chat("run-1", key))).limit());
        assertEquals(1, openai.calls().size());
    }

    @Test
    void theConfiguredDefaultsApplyAndAKeysTagOverridesThem() {
        settings(RunSettings.DEFAULTS.withDefaults(RunLimits.of(Map.of("max_llm_calls", "1"))));
        for (int i = 0; i < 3; i++) {
            openai.reply(completion("x", 1, 1));
        }

        pipeline.execute(chat("run-1", key(Map.of())));
        assertThrows(RunRefused.class, () -> pipeline.execute(chat("run-1", key(Map.of()))));

        VirtualKey generous = key(Map.of("run_max_llm_calls", "2"));
        pipeline.execute(chat("run-2", generous));
        pipeline.execute(chat("run-2", generous));
        assertThrows(RunRefused.class, () -> pipeline.execute(chat("run-2", generous)));
    }

    private static String usd(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).toPlainString();
    }
}
