package dev.smartflow.bench.jmh;

import dev.smartflow.compliance.detect.Detector;
import dev.smartflow.compliance.detect.Finding;
import dev.smartflow.compliance.redact.Redactor;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Layer 1 throughput: the time to scan (and redact) 64 KiB of text on one core; MB/s = 65,536 bytes / time. Target:
 * at least 50 MB/s, i.e. at most 1,311 µs per scan.
 *
 * <ul>
 *   <li>{@code pii=0}: prose with numbers that are not personal data (prices, dates, versions, order ids, UUIDs).
 *   <li>{@code pii=20}: one sentence in twenty carries a value (e-mail, phone, card, SSN, IP, IBAN, API key): about
 *       one value every 1,700 characters.
 *   <li>{@code pii=4}: one sentence in four: about one value every 350 characters, far denser than real traffic.
 *   <li>{@code phoneCache=cold}: a new detector per scan, so every phone number goes to libphonenumber (real traffic
 *       sees each number for the first time once); {@code warm}: verdicts cached, as for a chat's history.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx256m"})
public class ComplianceScanBenchmark {
    static final int BYTES = 64 * 1024;

    @Param({"0", "20", "4"})
    public int pii;

    @Param({"warm", "cold"})
    public String phoneCache;

    private String text;
    private Detector detector;

    @Setup(Level.Trial)
    public void text() {
        text = ComplianceText.of(BYTES, pii, 42).substring(0, BYTES);
        detector = Detector.standard();
    }

    @Setup(Level.Invocation)
    public void detector() {
        if (phoneCache.equals("cold")) {
            detector = Detector.withPhoneRegions(Detector.standard().phoneRegions());
        }
    }

    @Benchmark
    public List<Finding> scan() {
        return detector.scan(text);
    }

    @Benchmark
    public String scanAndRedact() {
        return Redactor.redact(text, detector.scan(text));
    }
}
