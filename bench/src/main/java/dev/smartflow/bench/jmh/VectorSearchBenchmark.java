package dev.smartflow.bench.jmh;

import dev.smartflow.cache.index.FlatVectorIndex;
import dev.smartflow.core.spi.VectorIndex;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Exact top-5 cosine search in one namespace of {@link FlatVectorIndex} holding {@code size} random unit vectors of
 * 384 dimensions (the bundled model's), each query a fresh random unit vector; without and with a tag filter that
 * half the entries match. {@code bench/jmh.sh} pins the JVM to one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx1g"})
public class VectorSearchBenchmark {
    private static final int DIMENSIONS = 384;
    private static final int QUERIES = 64;

    @Param({"10000", "100000"})
    public int size;

    private final FlatVectorIndex index = new FlatVectorIndex();
    private final float[][] queries = new float[QUERIES][];
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < size; i++) {
            index.put("ns", "e" + i, randomUnit(random), Map.of("tenant", i % 2 == 0 ? "a" : "b"));
        }
        for (int i = 0; i < QUERIES; i++) {
            queries[i] = randomUnit(random);
        }
    }

    @Benchmark
    public List<VectorIndex.Match> top5() {
        next = (next + 1) % QUERIES;
        return index.search("ns", queries[next], 5, -1);
    }

    @Benchmark
    public List<VectorIndex.Match> top5OfOneTenant() {
        next = (next + 1) % QUERIES;
        return index.search("ns", queries[next], 5, -1, Map.of("tenant", "a"));
    }

    private static float[] randomUnit(SplittableRandom random) {
        float[] vector = new float[DIMENSIONS];
        double sum = 0;
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) random.nextGaussian();
            sum += vector[i] * vector[i];
        }
        float scale = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] *= scale;
        }
        return vector;
    }
}
