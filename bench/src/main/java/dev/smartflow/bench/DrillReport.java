package dev.smartflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Turns the files of a reliability drill ({@code bench/drills.sh}) into {@code key=value} figures, one line each.
 *
 * <pre>
 * DrillReport window   --log LOG --from MS --to MS [--by-fault]
 *     calls started in [from, to): count, statuses (s&lt;status&gt;[_&lt;code&gt;]=n), latency p50/p99/max, and the
 *     /health/ready probes started in the window (probe_&lt;status&gt;=n); --by-fault adds one line per fault
 * DrillReport recovery --log LOG --after MS [--run 20] [--healthy-ms 1000]
 *     recovery_ms: from MS to the start of the first run of --run consecutive healthy calls (a 200 within
 *     --healthy-ms; calls ordered by start), -1 if none; ready_ms: from MS to the first /health/ready probe answered
 *     200. A call that starts after the fault is gone but waits for the gateway to reconnect is not yet healthy.
 * DrillReport later    --log LOG --received RECEIVED --from MS --to MS
 *     of the calls started in [from, to): how many reached the upstream (FakeUpstream's /stats/received), how many
 *     of those only after the window, how many without a 200 to the caller, how many after the caller gave up
 * DrillReport compare  --acked ACKED --audited AUDITED
 *     acknowledged ids (complete 200s) against audited ids: lost = acknowledged but not audited
 * </pre>
 */
public final class DrillReport {

    record Call(long seq, long startMs, long endMs, int status, String code, String fault, String requestId) {
        long latencyMs() {
            return endMs - startMs;
        }

        String outcome() {
            return "s" + status + (code.equals("-") ? "" : "_" + code);
        }
    }

    record Probe(long startMs, long endMs, int status) {}

    record Log(List<Call> calls, List<Probe> probes) {
        static Log read(Path path) throws IOException {
            List<Call> calls = new ArrayList<>();
            List<Probe> probes = new ArrayList<>();
            for (String line : Files.readAllLines(path)) {
                String[] f = line.split(" ");
                if (f[0].equals("req") && f.length == 8) {
                    calls.add(new Call(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                            Integer.parseInt(f[4]), f[5], f[6], f[7]));
                } else if (f[0].equals("probe") && f.length == 4) {
                    probes.add(new Probe(Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3])));
                }
                // anything else is a line cut by a crash of the load client: skipped
            }
            calls.sort(Comparator.comparingLong(Call::startMs));
            probes.sort(Comparator.comparingLong(Probe::startMs));
            return new Log(calls, probes);
        }
    }

    static String window(Log log, long from, long to) {
        List<Call> in = log.calls().stream().filter(c -> c.startMs() >= from && c.startMs() < to).toList();
        StringBuilder sb = new StringBuilder(describe(in));
        Map<String, Long> probes = log.probes().stream().filter(p -> p.startMs() >= from && p.startMs() < to)
                .collect(Collectors.groupingBy(p -> "probe_" + p.status(), TreeMap::new, Collectors.counting()));
        probes.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    static List<String> byFault(Log log, long from, long to) {
        Map<String, List<Call>> byFault = log.calls().stream()
                .filter(c -> c.startMs() >= from && c.startMs() < to)
                .collect(Collectors.groupingBy(Call::fault, TreeMap::new, Collectors.toList()));
        return byFault.entrySet().stream().map(e -> "fault=" + e.getKey() + ' ' + describe(e.getValue())).toList();
    }

    static String describe(List<Call> calls) {
        long[] latencies = calls.stream().mapToLong(Call::latencyMs).sorted().toArray();
        StringBuilder sb = new StringBuilder("calls=" + calls.size());
        sb.append(" p50_ms=").append(percentile(latencies, 50))
                .append(" p99_ms=").append(percentile(latencies, 99))
                .append(" max_ms=").append(latencies.length == 0 ? -1 : latencies[latencies.length - 1]);
        calls.stream().collect(Collectors.groupingBy(Call::outcome, TreeMap::new, Collectors.counting()))
                .forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    /** Nearest rank: the value at rank ceil(p*n/100) of the sorted values; -1 for none. */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p * sorted.length / 100.0);
        return sorted[Math.max(0, rank - 1)];
    }

    static String recovery(Log log, long after, int run, long healthyMs) {
        List<Call> later = log.calls().stream().filter(c -> c.startMs() >= after).toList();
        long recovery = -1;
        int streak = 0;
        for (int i = 0; i < later.size(); i++) {
            Call c = later.get(i);
            streak = c.status() == 200 && c.latencyMs() <= healthyMs ? streak + 1 : 0;
            if (streak == run) {
                recovery = later.get(i - run + 1).startMs() - after;
                break;
            }
        }
        long ready = log.probes().stream().filter(p -> p.startMs() >= after && p.status() == 200)
                .mapToLong(p -> p.endMs() - after).findFirst().orElse(-1);
        return "recovery_ms=" + recovery + " run=" + run + " healthy_ms=" + healthyMs + " ready_ms=" + ready;
    }

    static String later(Log log, Map<Long, Long> receivedAt, long from, long to) {
        Predicate<Call> inWindow = c -> c.startMs() >= from && c.startMs() < to;
        long calls = 0;
        long reached = 0;
        long reachedAfter = 0;
        long reachedNotOk = 0;
        long reachedAfterGaveUp = 0;
        for (Call c : log.calls()) {
            if (!inWindow.test(c)) {
                continue;
            }
            calls++;
            Long at = receivedAt.get(c.seq());
            if (at == null) {
                continue;
            }
            reached++;
            if (at >= to) {
                reachedAfter++;
            }
            if (c.status() != 200) {
                reachedNotOk++;
            }
            if (at > c.endMs()) {
                reachedAfterGaveUp++;
            }
        }
        return "outage_calls=" + calls + " reached_upstream=" + reached + " reached_after_outage=" + reachedAfter
                + " reached_without_200=" + reachedNotOk + " reached_after_caller_done=" + reachedAfterGaveUp;
    }

    static Map<Long, Long> received(Path path) throws IOException {
        Map<Long, Long> at = new HashMap<>();
        for (String line : Files.readAllLines(path)) {
            String[] f = line.split(" ");
            if (f.length == 2) {
                // a call the gateway sent twice counts at its first arrival
                at.putIfAbsent(Long.parseLong(f[0]), Long.parseLong(f[1]));
            }
        }
        return at;
    }

    static String compare(List<String> acked, List<String> audited) {
        Set<String> auditedSet = new HashSet<>();
        long duplicates = 0;
        for (String id : audited) {
            if (!id.isBlank() && !auditedSet.add(id)) {
                duplicates++;
            }
        }
        Set<String> ackedSet = new LinkedHashSet<>();
        for (String id : acked) {
            if (!id.isBlank()) {
                ackedSet.add(id);
            }
        }
        List<String> lost = ackedSet.stream().filter(id -> !auditedSet.contains(id)).toList();
        long auditedNotAcked = auditedSet.stream().filter(id -> !ackedSet.contains(id)).count();
        return "acked=" + ackedSet.size() + " audited=" + auditedSet.size() + " lost=" + lost.size()
                + " duplicates=" + duplicates + " audited_not_acked=" + auditedNotAcked
                + (lost.isEmpty() ? "" : " lost_examples=" + String.join(",", lost.subList(0, Math.min(3, lost.size()))));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage();
        }
        Map<String, String> opts = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--by-fault")) {
                flags.add(args[i]);
            } else if (i + 1 < args.length) {
                opts.put(args[i], args[++i]);
            } else {
                usage();
            }
        }
        switch (args[0]) {
            case "window" -> {
                Log log = Log.read(path(opts, "--log"));
                long from = number(opts, "--from");
                long to = number(opts, "--to");
                System.out.println(window(log, from, to));
                if (flags.contains("--by-fault")) {
                    byFault(log, from, to).forEach(System.out::println);
                }
            }
            case "recovery" -> System.out.println(recovery(Log.read(path(opts, "--log")), number(opts, "--after"),
                    Integer.parseInt(opts.getOrDefault("--run", "20")),
                    Long.parseLong(opts.getOrDefault("--healthy-ms", "1000"))));
            case "later" -> System.out.println(later(Log.read(path(opts, "--log")),
                    received(path(opts, "--received")), number(opts, "--from"), number(opts, "--to")));
            case "compare" -> System.out.println(compare(Files.readAllLines(path(opts, "--acked")),
                    Files.readAllLines(path(opts, "--audited"))));
            default -> usage();
        }
    }

    private static Path path(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null) {
            usage();
        }
        return Path.of(v);
    }

    private static long number(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null) {
            usage();
        }
        return Long.parseLong(v);
    }

    private static void usage() {
        System.err.println("usage: DrillReport window|recovery|later|compare ... (see the class comment); known: "
                + Arrays.asList("window", "recovery", "later", "compare"));
        System.exit(2);
    }
}
