package dev.smartflow.bench.jmh;

import dev.smartflow.cache.embed.OnnxEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bundled embedding model's latency (all-MiniLM-L6-v2, int8, ONNX Runtime through DJL): one sentence, and a
 * batch of 32 through {@code embedAll}, each text run alone (the default, stable vectors) or the batch as one padded
 * tensor ({@code tensorBatches=true}). Sentences are 8 to 20 words, as a chat's last user turn often is; the model
 * files are copied to {@code bench/target/bench-data}. {@code bench/jmh.sh} pins the JVM to one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
        "-Dai.djl.offline=true"})
public class EmbedBenchmark {
    private static final String[] SUBJECTS = {"my password", "the invoice for order 1234", "a refund",
        "the capital of France", "two-factor authentication", "the API rate limits", "my subscription plan",
        "the delivery address"};
    private static final String[] ASKS = {"How do I change %s?", "Can you tell me everything you know about %s,"
        + " please?", "What is the quickest way to sort out %s before the end of the week?",
        "I need help with %s, it has not worked since yesterday."};

    @Param({"false", "true"})
    public boolean tensorBatches;

    private OnnxEmbedder embedder;
    private final List<String> sentences = new ArrayList<>();
    private int next;

    @Setup
    public void setUp() {
        for (String subject : SUBJECTS) {
            for (String ask : ASKS) {
                sentences.add(ask.formatted(subject));
            }
        }
        embedder = OnnxEmbedder.builder(Path.of("bench", "target", "bench-data"))
                .tensorBatches(tensorBatches).start();
        embedder.embed("warm up"); // waits for the model
    }

    @TearDown
    public void tearDown() {
        embedder.close();
    }

    @Benchmark
    public float[] oneSentence() {
        next = (next + 1) % sentences.size();
        return embedder.embed(sentences.get(next));
    }

    @Benchmark
    public List<float[]> batchOf32() {
        return embedder.embedAll(sentences);
    }
}
