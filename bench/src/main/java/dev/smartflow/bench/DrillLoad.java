package dev.smartflow.bench;

import dev.smartflow.bench.FakeUpstream.Fault;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reliability drills' load client ({@code bench/drills.sh}): sends chat completions to the gateway until a
 * deadline or a stop file, and records every call.
 *
 * <p>Closed loop by default: {@code --workers} virtual threads, each sending its next call when the last one ended
 * (spaced to {@code --rate} in all if given). With {@code --max-in-flight N} the load is open loop: calls start at
 * {@code --rate} whatever happens to earlier ones, each on its own virtual thread, at most N at once (a call due
 * while N are in flight is skipped and counted). An outage drill needs the open loop: closed-loop workers all hang
 * in the first milliseconds of an outage and then cannot show when the gateway recovers.
 *
 * <p>Each call is one line of the log: {@code req <seq> <start_ms> <end_ms> <status> <code> <fault> <request_id>}
 * (epoch milliseconds; status 0 when no HTTP answer came, with the transport failure as the code; {@code -} for a
 * missing field). Each body carries {@code drill-seq:<seq>} so {@link FakeUpstream} can say which calls reached it,
 * and, with {@code --faults}, a {@code fault:<name>} marker drawn from the weighted mix; an {@code abandon} call
 * gives up after {@code --abandon-ms} and closes its connection, as a client that goes away does (code
 * {@code abandoned}). The acknowledged file gets the
 * {@code x-smartflow-request-id} of every call whose 200 arrived complete (a stream: ending in {@code [DONE]} with no
 * error event). With {@code --probe-url} a sampler adds {@code probe <start_ms> <end_ms> <status>} lines every
 * {@code --probe-every-ms}.
 */
public final class DrillLoad implements AutoCloseable {

    private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]{1,64})\"");
    private static final Pattern ERROR_TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([^\"]{1,64})\"");
    /** Pause after a call that got no HTTP answer, so a dead gateway does not turn the workers into a busy loop. */
    private static final long TRANSPORT_ERROR_PAUSE_MS = 10;

    record Options(URI url, List<String> keys, int workers, long seconds, Path stopFile, double rate, long timeoutMs,
                   Path log, Path acked, FaultMix faults, long seqStart, URI probeUrl, long probeEveryMs,
                   int maxInFlight, long abandonMs) {}

    /** A weighted choice of faults, e.g. {@code ok=4,500=1,stall=1}. */
    record FaultMix(Fault[] table) {
        static FaultMix parse(String spec) {
            List<Fault> table = new ArrayList<>();
            for (String part : spec.split(",")) {
                String[] kv = part.strip().split("=", 2);
                Fault fault = Fault.of(kv[0].strip());
                int weight = kv.length == 2 ? Integer.parseInt(kv[1].strip()) : 1;
                if (weight < 0) {
                    throw new IllegalArgumentException("negative weight in " + spec);
                }
                for (int i = 0; i < weight; i++) {
                    table.add(fault);
                }
            }
            if (table.isEmpty()) {
                throw new IllegalArgumentException("empty fault mix: " + spec);
            }
            return new FaultMix(table.toArray(Fault[]::new));
        }

        static FaultMix none() {
            return new FaultMix(new Fault[] {Fault.OK});
        }

        Fault pick() {
            return table.length == 1 ? table[0] : table[ThreadLocalRandom.current().nextInt(table.length)];
        }
    }

    /** What one call ended with; {@code code} is the error code of a refused call or the transport failure. */
    record Outcome(int status, String code, String requestId, boolean acknowledged) {}

    private final Options options;
    private final HttpClient client;
    private final Writer log;
    private final Writer acked;
    private final AtomicLong nextSeq;
    private final AtomicLong nextSlotNanos = new AtomicLong();
    private final long intervalNanos;
    private final Map<String, LongAdder> tally = new ConcurrentHashMap<>();
    private final LongAdder skipped = new LongAdder();
    private volatile boolean stopping;

    DrillLoad(Options options) throws IOException {
        this.options = options;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.log = Files.newBufferedWriter(options.log());
        this.acked = options.acked() == null ? Writer.nullWriter() : Files.newBufferedWriter(options.acked());
        this.nextSeq = new AtomicLong(options.seqStart());
        this.intervalNanos = options.rate() > 0 ? (long) (1e9 / options.rate()) : 0;
    }

    void run() throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(options.seconds());
        nextSlotNanos.set(start);
        List<Thread> threads = new ArrayList<>();
        Semaphore inFlight = new Semaphore(Math.max(1, options.maxInFlight()));
        if (options.maxInFlight() > 0) {
            threads.add(Thread.ofVirtual().name("drill-dispatcher").start(() -> dispatch(inFlight)));
        } else {
            for (int i = 0; i < options.workers(); i++) {
                String key = options.keys().get(i % options.keys().size());
                threads.add(Thread.ofVirtual().name("drill-worker-" + i).start(() -> work(key)));
            }
        }
        Thread probe = options.probeUrl() == null ? null : Thread.ofVirtual().name("drill-probe").start(this::probe);
        while (!stopping) {
            if (System.nanoTime() >= deadline || (options.stopFile() != null && Files.exists(options.stopFile()))) {
                stopping = true;
                break;
            }
            Thread.sleep(50);
            flushQuietly();
        }
        // each worker finishes the call it is in, which is bounded by the call timeout
        for (Thread t : threads) {
            t.join();
        }
        if (options.maxInFlight() > 0
                && !inFlight.tryAcquire(options.maxInFlight(), options.timeoutMs() + 5_000, TimeUnit.MILLISECONDS)) {
            System.err.println("DrillLoad: calls still in flight after the call timeout; their lines are missing");
        }
        if (probe != null) {
            probe.join();
        }
        close();
        System.out.println(summary(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
    }

    @Override
    public void close() throws IOException {
        try (log; acked) {
            client.close();
        }
    }

    private void work(String key) {
        while (!stopping) {
            if (!awaitSlot()) {
                return;
            }
            Outcome outcome = callAndRecord(key, nextSeq.getAndIncrement());
            if (outcome.status() == 0 && !"client_timeout".equals(outcome.code())) {
                sleepQuietly(TRANSPORT_ERROR_PAUSE_MS);
            }
        }
    }

    private void dispatch(Semaphore inFlight) {
        while (awaitSlot()) {
            long seq = nextSeq.getAndIncrement();
            if (!inFlight.tryAcquire()) {
                skipped.increment();
                continue;
            }
            String key = options.keys().get((int) (seq % options.keys().size()));
            Thread.ofVirtual().name("drill-call-" + seq).start(() -> {
                try {
                    callAndRecord(key, seq);
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    private Outcome callAndRecord(String key, long seq) {
        Fault fault = options.faults().pick();
        long startMs = System.currentTimeMillis();
        Outcome outcome = call(key, seq, fault);
        record(seq, startMs, System.currentTimeMillis(), fault, outcome);
        return outcome;
    }

    /** Spaces calls {@code 1/rate} apart across all workers; false once the run is stopping. */
    private boolean awaitSlot() {
        if (intervalNanos == 0) {
            return !stopping;
        }
        // after a stretch of slow calls (an outage) at most 100 ms of missed slots are caught up, not a burst
        long floor = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(100);
        long slot = Math.max(floor, nextSlotNanos.getAndUpdate(s -> Math.max(s, floor) + intervalNanos));
        while (!stopping) {
            long wait = slot - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            sleepQuietly(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(wait))));
        }
        return false;
    }

    Outcome call(String key, long seq, Fault fault) {
        boolean stream = fault.streams();
        String body = "{\"model\":\"gpt-4o-mini\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"drill-seq:" + seq + " fault:" + fault.token()
                + "\"}]}";
        HttpRequest request = HttpRequest.newBuilder(options.url())
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        CompletableFuture<HttpResponse<String>> future =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = future.get(fault == Fault.ABANDON ? options.abandonMs() : options.timeoutMs(),
                    TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // aborts the exchange: java.net.http closes the connection
            future.cancel(true);
            return new Outcome(0, fault == Fault.ABANDON ? "abandoned" : "client_timeout", null, false);
        } catch (ExecutionException e) {
            return new Outcome(0, transportCode(e.getCause()), null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(0, "interrupted", null, false);
        }
        return outcome(response.statusCode(), response.body(), stream,
                response.headers().firstValue("x-smartflow-request-id").orElse(null));
    }

    static Outcome outcome(int status, String body, boolean stream, String requestId) {
        if (status == 200) {
            if (!stream) {
                return new Outcome(200, null, requestId, true);
            }
            // a failure after the first chunk arrives as a final error event, still under 200
            boolean complete = body.endsWith("data: [DONE]\n\n") && !body.contains("data: {\"error\"");
            return new Outcome(200, complete ? null : "stream_error", requestId, complete);
        }
        Matcher code = ERROR_CODE.matcher(body);
        if (code.find()) {
            return new Outcome(status, code.group(1), requestId, false);
        }
        Matcher type = ERROR_TYPE.matcher(body);
        return new Outcome(status, type.find() ? type.group(1) : null, requestId, false);
    }

    static String transportCode(Throwable cause) {
        if (cause instanceof HttpConnectTimeoutException) {
            return "connect_timeout";
        }
        if (cause instanceof ConnectException) {
            return "connect_refused";
        }
        if (cause instanceof IOException) {
            return "io_error";
        }
        return "client_error";
    }

    private void record(long seq, long startMs, long endMs, Fault fault, Outcome outcome) {
        String line = "req " + seq + ' ' + startMs + ' ' + endMs + ' ' + outcome.status() + ' '
                + field(outcome.code()) + ' ' + fault.token() + ' ' + field(outcome.requestId()) + '\n';
        tally.computeIfAbsent(outcome.status() + (outcome.code() == null ? "" : "/" + outcome.code()),
                k -> new LongAdder()).increment();
        try {
            synchronized (log) {
                log.write(line);
            }
            if (outcome.acknowledged() && outcome.requestId() != null) {
                synchronized (acked) {
                    acked.write(outcome.requestId());
                    acked.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void probe() {
        HttpRequest request = HttpRequest.newBuilder(options.probeUrl())
                .timeout(Duration.ofMillis(Math.min(options.timeoutMs(), 3000)))
                .GET()
                .build();
        while (!stopping) {
            long startMs = System.currentTimeMillis();
            int status;
            try {
                status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long endMs = System.currentTimeMillis();
            try {
                synchronized (log) {
                    log.write("probe " + startMs + ' ' + endMs + ' ' + status + '\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sleepQuietly(Math.max(0, options.probeEveryMs() - (endMs - startMs)));
        }
    }

    private String summary(long elapsedMs) {
        long total = tally.values().stream().mapToLong(LongAdder::sum).sum();
        StringBuilder sb = new StringBuilder("calls=" + total + " seconds=" + String.format("%.1f", elapsedMs / 1e3));
        if (options.maxInFlight() > 0) {
            sb.append(" skipped_at_max_in_flight=").append(skipped.sum());
        }
        new TreeMap<>(tally).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v.sum()));
        return sb.toString();
    }

    private void flushQuietly() {
        try {
            synchronized (log) {
                log.flush();
            }
            synchronized (acked) {
                acked.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String field(String value) {
        return value == null || value.isEmpty() ? "-" : value.replace(' ', '_');
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Options parse(String[] args) {
        URI url = null;
        List<String> keys = new ArrayList<>();
        int workers = 16;
        long seconds = 60;
        Path stopFile = null;
        double rate = 0;
        long timeoutMs = 30_000;
        Path log = null;
        Path acked = null;
        FaultMix faults = FaultMix.none();
        long seqStart = 0;
        URI probeUrl = null;
        long probeEveryMs = 500;
        int maxInFlight = 0;
        long abandonMs = 500;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + args[i]);
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--url" -> url = URI.create(v);
                case "--keys" -> keys.addAll(List.of(v.split(",")));
                case "--workers" -> workers = Integer.parseInt(v);
                case "--seconds" -> seconds = Long.parseLong(v);
                case "--stop-file" -> stopFile = Path.of(v);
                case "--rate" -> rate = Double.parseDouble(v);
                case "--timeout-ms" -> timeoutMs = Long.parseLong(v);
                case "--log" -> log = Path.of(v);
                case "--acked" -> acked = Path.of(v);
                case "--faults" -> faults = FaultMix.parse(v);
                case "--seq-start" -> seqStart = Long.parseLong(v);
                case "--probe-url" -> probeUrl = URI.create(v);
                case "--probe-every-ms" -> probeEveryMs = Long.parseLong(v);
                case "--max-in-flight" -> maxInFlight = Integer.parseInt(v);
                case "--abandon-ms" -> abandonMs = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null || keys.isEmpty() || log == null) {
            throw new IllegalArgumentException("--url, --keys and --log are required");
        }
        if (!"127.0.0.1".equals(url.getHost()) || (probeUrl != null && !"127.0.0.1".equals(probeUrl.getHost()))) {
            throw new IllegalArgumentException("only 127.0.0.1 targets are allowed");
        }
        if (workers < 1 || seconds < 1 || timeoutMs < 1 || maxInFlight < 0) {
            throw new IllegalArgumentException("--workers, --seconds and --timeout-ms must be positive");
        }
        if (maxInFlight > 0 && rate <= 0) {
            throw new IllegalArgumentException("--max-in-flight (open loop) needs a --rate");
        }
        return new Options(url, List.copyOf(keys), workers, seconds, stopFile, rate, timeoutMs, log, acked, faults,
                seqStart, probeUrl, probeEveryMs, maxInFlight, abandonMs);
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("DrillLoad: " + e.getMessage());
            System.err.println("usage: DrillLoad --url URL --keys K1,K2 --log FILE [--acked FILE] [--workers 16]"
                    + " [--seconds 60] [--stop-file FILE] [--rate CALLS_PER_S] [--timeout-ms 30000]"
                    + " [--faults ok=4,500=1,...] [--seq-start N] [--probe-url URL] [--probe-every-ms 500]"
                    + " [--max-in-flight N (open loop, with --rate)] [--abandon-ms 500]");
            System.exit(2);
            return;
        }
        new DrillLoad(options).run();
    }
}
