package dev.smartflow.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.Smartflow;
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
import dev.smartflow.core.keys.MasterKeyAuthenticator;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.routing.Target;
import dev.smartflow.core.spi.Provider;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the pipeline itself costs per call, with the wire taken away: the server's exchange (fresh body bytes, as read
 * from the socket) through trace, master-key auth, validation, models, route and cost stages to a provider that
 * answers a canned body. Run with {@code bench/jmh.sh} (adds {@code -prof gc} for bytes allocated per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx256m"})
public class PipelineBenchmark {
    private static final String KEY = "sk-bench-master";
    private static final byte[] REQUEST = """
            {"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},\
            {"role":"user","content":"Say hello"}],"temperature":0.2}""".getBytes(StandardCharsets.UTF_8);
    private static final Body ANSWER = Body.json("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""");
    private static final Headers CREDENTIALS = Headers.of("authorization", "Bearer " + KEY);

    private Smartflow smartflow;

    @Setup
    public void setUp() {
        Provider canned = new Provider() {
            @Override
            public String name() {
                return "openai";
            }

            @Override
            public boolean available() {
                return true;
            }

            @Override
            public Response call(Exchange exchange, String model) {
                return new Response.Complete(200, Headers.of("content-type", "application/json"), ANSWER);
            }

            @Override
            public List<JsonNode> models() {
                return List.of();
            }
        };
        ModelResolver resolver = new ModelResolver() {
            @Override
            public Target resolve(String model) {
                int slash = model.indexOf('/');
                return new Target(canned, slash < 0 ? model : model.substring(slash + 1));
            }

            @Override
            public List<Provider> available() {
                return List.of(canned);
            }
        };
        // gpt-4o-mini's list price, as the server's catalog would answer: the cost stage runs as in production.
        TokenPrice price = new TokenPrice(150_000, 75_000, 600_000);
        smartflow = Smartflow.builder().resolver(resolver).authenticator(new MasterKeyAuthenticator(KEY))
                .pricing((provider, model) -> Optional.of(price)).build();
    }

    @Benchmark
    public Response chatThroughThePipeline() {
        return smartflow.execute(exchange(REQUEST.clone()));
    }

    private static Exchange exchange(byte[] bytes) {
        return new Exchange(RequestId.random(), TraceId.random(), Operation.CHAT, Principal.ANONYMOUS,
                Body.wrap(bytes), CREDENTIALS, Attributes.EMPTY);
    }
}
