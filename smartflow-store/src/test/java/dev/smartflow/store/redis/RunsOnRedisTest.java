package dev.smartflow.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.RequestId;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.TraceId;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.routing.Target;
import dev.smartflow.core.runs.RunRefused;
import dev.smartflow.core.runs.RunSettings;
import dev.smartflow.core.runs.Runs;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.Concurrently;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two gateway pipelines on one Redis govern one run together: its budget, its step cap and its kill switch. */
class RunsOnRedisTest {
    /** 1 micro-USD per prompt token, 2 per completion token. */
    private static final Pricing PRICING = (provider, model) -> Optional.of(
            TokenPrice.perMillion(1_000_000, 1_000_000, 2_000_000));
    private static final String BODY = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

    private final LocalRedis redis = LocalRedis.require("RunsOnRedisTest");
    private final String prefix = "smartflow-test:runs:" + UUID.randomUUID() + ":";
    private final AtomicInteger served = new AtomicInteger();
    private final Provider upstream = new Provider() {
        @Override
        public String name() {
            return "upstream";
        }

        @Override
        public boolean available() {
            return true;
        }

        @Override
        public Response call(Exchange exchange, String model) {
            served.incrementAndGet();
            // no usage: the call settles at its worst case, so every admitted call commits exactly that
            return Response.Complete.json(Body.wrap(("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                    + "\"finish_reason\":\"stop\"}]}").getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public List<JsonNode> models() {
            return List.of();
        }
    };
    private final ModelResolver resolver = new ModelResolver() {
        @Override
        public Target resolve(String model) {
            return new Target(upstream, model);
        }

        @Override
        public List<Provider> available() {
            return List.of(upstream);
        }
    };
    private Instance first;
    private Instance second;

    private record Instance(RedisSharedState state, Runs runs, Smartflow smartflow) implements AutoCloseable {
        @Override
        public void close() {
            smartflow.close();
            state.close();
        }
    }

    private Instance instance() {
        RedisSharedState state = RedisSharedState.connect(LocalRedis.URL, prefix);
        Runs runs = Runs.start(state, InstantSource.system(), RunSettings.DEFAULTS);
        Smartflow smartflow = Smartflow.builder().resolver(resolver).pricing(PRICING).sharedState(state).runs(runs)
                .build();
        return new Instance(state, runs, smartflow);
    }

    @BeforeEach
    void start() {
        redis.deleteKeys(prefix);
        first = instance();
        second = instance();
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
        redis.deleteKeys(prefix);
        redis.close();
    }

    private static Exchange call(String trace, Headers headers) {
        return new Exchange(RequestId.random(), new TraceId(trace), Operation.CHAT, Principal.embedded("agent"),
                Body.wrap(BODY.getBytes(StandardCharsets.UTF_8)), headers, Attributes.EMPTY);
    }

    /** Runs 200 calls of one run, alternating instances; how many were admitted. */
    private int concurrently(String trace, Headers headers) throws Exception {
        List<Boolean> admitted = Concurrently.run(200, i -> {
            Instance instance = i % 2 == 0 ? first : second;
            try {
                instance.smartflow().execute(call(trace, headers));
                return true;
            } catch (RunRefused e) {
                return false;
            }
        });
        return (int) admitted.stream().filter(a -> a).count();
    }

    @Test
    void twoInstancesHoldOneRunBudgetExactlyUnderConcurrentCalls() throws Exception {
        // the worst case of one call: prompt (body bytes / 4) at 1 + 10 completion tokens at 2 micro-USD
        long worst = (BODY.length() + 3) / 4 + 10 * 2;
        String limit = java.math.BigDecimal.valueOf(37 * worst, 6).toPlainString();

        int admitted = concurrently("run-budget", Headers.of("x-smartflow-run-max-cost-usd", limit));

        assertEquals(37, admitted);
        assertEquals(37, served.get());
        assertEquals(Optional.of(Long.toString(37 * worst)), first.state().hashGet("run:run-budget", "cost"));
    }

    @Test
    void twoInstancesHoldOneStepCapExactlyUnderConcurrentCalls() throws Exception {
        int admitted = concurrently("run-steps", Headers.of("x-smartflow-run-max-llm-calls", "25"));

        assertEquals(25, admitted);
        assertEquals(25, served.get());
        assertEquals("limit_hit", second.runs().state("run-steps").orElseThrow().state());
    }

    @Test
    void aRunStoppedOnOneInstanceIsRefusedOnTheOtherWithinASecond() {
        second.smartflow().execute(call("run-stop", Headers.EMPTY));

        first.runs().stop("run-stop");

        Await.until(Duration.ofSeconds(1), "the stop to reach the other instance", () -> second.runs()
                .stopped("run-stop"));
        RunRefused refused = assertThrows(RunRefused.class,
                () -> second.smartflow().execute(call("run-stop", Headers.EMPTY)));
        assertEquals(Optional.of(RunRefused.STOPPED), refused.code());
        assertEquals(1, served.get());
    }
}
