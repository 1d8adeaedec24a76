package dev.smartflow.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.cache.embed.OnnxEmbedder;
import dev.smartflow.cache.metacache.MetaCache;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.routing.Target;
import dev.smartflow.core.spi.Provider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The MetaCache's lookup by meaning (L2), embedding included, as a chat completion meets it in the pipeline: the real
 * {@link MetaCache} (its cache stage, tiers and guard; the in-process shared state and {@code FlatVectorIndex} it
 * builds by default) on the bundled {@link OnnxEmbedder}, in front of a provider that answers a canned body at once.
 *
 * <p>Set-up stores {@code entries} questions per namespace by sending them through the pipeline (each a miss, then
 * stored: embedded, put in L1, L3 and the index). Then, in {@link Mode#SampleTime} so percentiles come out:
 * <ul>
 *   <li>{@link #paraphraseHit}: a reworded stored question (same order number) that L1 and L3 miss and L2 serves:
 *       embed the last user turn, search the namespace, check the guard, read the answer, warm L1 and L3, replay.
 *       A hit warms its own exact key, so each call asks a question not asked before: for the smaller sizes the
 *       stored set is stored again in further namespaces (each of the same size), enough distinct questions for the
 *       whole run. Sent with {@code no-store}, so a question that missed would not grow
 *       the index.</li>
 *   <li>{@link #nearMiss}: a stored question with another order number (never stored), sent with
 *       {@code Cache-Control: no-store}: the same embed and search, the guard rejecting the close candidates, then
 *       the canned provider; nothing is added, so every call does the same work.</li>
 * </ul>
 * How each call was served is counted and printed at the end of each iteration ({@code tiers: {...}}), so a run shows
 * whether the hits really came from L2. {@code bench/jmh.sh} pins the JVM to one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx1g", "--enable-native-access=ALL-UNNAMED",
        "-Dai.djl.offline=true"})
public class SemanticLookupBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Principal CALLER = Principal.embedded("bench");
    private static final String SYSTEM = "You are the support assistant of an online shop. Answer briefly.";
    /** Stored questions, one wording per topic; {@code %d} is the order number. */
    private static final String[] STORED = {
        "How do I get a refund for order %d?",
        "Where is my parcel for order %d? It has not arrived yet.",
        "Can you send me the invoice for order %d again?",
        "I want to cancel order %d before it ships.",
    };
    /**
     * A rewording of each of {@link #STORED} that L2 serves at the default threshold. (Looser ones, such as "How do I
     * get my money back for order %d?" or "can you resend the invoice for order %d", fell below 0.90 and missed.)
     */
    private static final String[] PARAPHRASES = {
        "how can I get a refund for order %d",
        "Where is the parcel of order %d? It has not arrived yet.",
        "Could you send me the invoice for order %d again?",
        "I would like to cancel order %d before it ships.",
    };
    private static final Body ANSWER = Body.json("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Here is what to do: open your orders \
            page, choose the order and follow the steps shown there."},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":30,"completion_tokens":24,"total_tokens":54}}""");
    private static final int FIRST_ORDER = 100_000;
    /** More calls than one fork of {@link #paraphraseHit} makes with the default iterations, at 2 ms a call. */
    private static final int MOST_CALLS = 13_000;

    /** Cached questions in the namespace searched. */
    @Param({"1000", "10000"})
    public int entries;


    /**
     * Copies of the stored set, each in a namespace of its own, so hits never run out of questions not yet asked
     * (for {@link #paraphraseHit}; one otherwise).
     */
    private int namespaces;
    private OnnxEmbedder embedder;
    private MetaCache cache;
    private Smartflow smartflow;
    private final Map<String, Integer> tiers = new TreeMap<>();
    private long nextHit;
    private long nextMiss;

    @Setup
    public void setUp(BenchmarkParams params) {
        namespaces = params.getBenchmark().endsWith("paraphraseHit") ? Math.max(1, (MOST_CALLS + entries - 1) / entries)
                : 1;
        embedder = OnnxEmbedder.builder(Path.of("bench", "target", "bench-data")).threads(1).start();
        embedder.embed("warm up"); // waits for the model
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
                return new Target(canned, model);
            }

            @Override
            public List<Provider> available() {
                return List.of(canned);
            }
        };
        cache = MetaCache.builder().embedder(embedder).build();
        smartflow = Smartflow.builder().resolver(resolver).install(cache).build();
        long started = System.nanoTime();
        for (int ns = 0; ns < namespaces; ns++) {
            for (int i = 0; i < entries; i++) {
                String served = tier(call(namespace(ns), STORED[i % STORED.length].formatted(FIRST_ORDER + i)));
                if (!served.equals("miss")) {
                    throw new IllegalStateException("stored question " + i + " was served from " + served);
                }
            }
        }
        System.out.printf("%nstored %d questions in %d namespace(s) in %.1f s%n", (long) entries * namespaces,
                namespaces, (System.nanoTime() - started) / 1e9);
    }

    @TearDown(Level.Iteration)
    public void report() {
        System.out.println("tiers: " + tiers);
        tiers.clear();
    }

    @TearDown
    public void tearDown() {
        cache.close();
        embedder.close();
    }

    @Benchmark
    public Response paraphraseHit() {
        long n = nextHit++;
        int i = (int) (n % entries);
        long ns = n / entries;
        String wording = PARAPHRASES[i % PARAPHRASES.length];
        if (ns >= namespaces) {
            throw new IllegalStateException("out of unasked questions after " + n + " calls: raise MOST_CALLS");
        }
        Response response = call(namespace((int) ns), wording.formatted(FIRST_ORDER + i), "cache-control",
                "no-store");
        String tier = tier(response);
        tiers.merge(tier.equals("miss") ? "miss: " + wording : tier, 1, Integer::sum);
        return response;
    }

    @Benchmark
    public Response nearMiss() {
        int i = (int) (nextMiss++ % entries);
        // the stored wording with an order number never stored
        Response response = call(namespace(0), STORED[i % STORED.length].formatted(FIRST_ORDER + entries + i),
                "cache-control", "no-store");
        tiers.merge(tier(response), 1, Integer::sum);
        return response;
    }

    private Response call(String namespace, String question, String... headers) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", "gpt-4o-mini");
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", SYSTEM);
        messages.addObject().put("role", "user").put("content", question);
        String[] all = new String[headers.length + 2];
        all[0] = "x-smartflow-cache-namespace";
        all[1] = namespace;
        System.arraycopy(headers, 0, all, 2, headers.length);
        Exchange exchange = Exchange.of(Operation.CHAT, Body.json(body.toString()), Headers.of(all))
                .withPrincipal(CALLER);
        Response response = smartflow.execute(exchange);
        if (response.status() != 200) {
            throw new IllegalStateException("status " + response.status() + " for '" + question + "'");
        }
        return response;
    }

    private static String namespace(int ns) {
        return "bench-" + ns;
    }

    private static String tier(Response response) {
        return response.headers().get("x-smartflow-cache-tier").orElse("miss");
    }
}
