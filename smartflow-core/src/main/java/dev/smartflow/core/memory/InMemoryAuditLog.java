package dev.smartflow.core.memory;

import dev.smartflow.core.spi.AuditAnalytics;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.AuditSummary;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link AuditLog} of an {@link InMemoryDatabase}. Thread-safe: one lock guards the log, so a batch is appended
 * atomically. Records are kept newest first in a sorted map, so a query walks only as far as its limit needs among
 * the records that match, and the summary and analytics walk only their range. The analytics are the reference the
 * SQL store's aggregate queries are checked against: same definitions, same tie-breaks.
 */
public final class InMemoryAuditLog implements AuditLog {
    private static final Comparator<AuditRecord> NEWEST_FIRST = Comparator.comparing(AuditRecord::timestamp)
            .thenComparing(AuditRecord::requestId)
            .reversed();

    private final Guard guard;
    private final TreeMap<AuditRecord, AuditRecord> newestFirst = new TreeMap<>(NEWEST_FIRST);
    private final Map<String, AuditRecord> byRequestId = new HashMap<>();

    InMemoryAuditLog(AtomicBoolean closed) {
        this.guard = new Guard(closed);
    }

    @Override
    public int append(List<AuditRecord> records) {
        List<AuditRecord> batch = List.copyOf(records);
        return guard.locked(() -> {
            int added = 0;
            for (AuditRecord record : batch) {
                if (byRequestId.putIfAbsent(record.requestId(), record) == null) {
                    newestFirst.put(record, record);
                    added++;
                }
            }
            return added;
        });
    }

    @Override
    public List<AuditRecord> query(AuditQuery query) {
        Objects.requireNonNull(query, "query");
        return guard.locked(() -> {
            List<AuditRecord> page = new ArrayList<>();
            for (AuditRecord record : newestFirst.keySet()) {
                if (query.since().isPresent() && record.timestamp().isBefore(query.since().get())) {
                    break;
                }
                if (query.matches(record)) {
                    page.add(record);
                    if (page.size() == query.limit()) {
                        break;
                    }
                }
            }
            return List.copyOf(page);
        });
    }

    @Override
    public AuditSummary summary(Instant fromInclusive, Instant toExclusive) {
        Instant from = Objects.requireNonNull(fromInclusive, "from").truncatedTo(ChronoUnit.MICROS);
        Instant to = Objects.requireNonNull(toExclusive, "to").truncatedTo(ChronoUnit.MICROS);
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to " + to + " is before from " + from);
        }
        return guard.locked(() -> {
            long requests = 0;
            long errors = 0;
            long cached = 0;
            Map<String, Long> cost = new HashMap<>();
            for (AuditRecord record : range(from, to)) {
                requests++;
                errors += record.failed() ? 1 : 0;
                cached += record.cached() ? 1 : 0;
                cost.merge(record.provider(), record.costMicros(), Math::addExact);
            }
            return new AuditSummary(requests, errors, cached, cost);
        });
    }

    @Override
    public AuditAnalytics analytics(Instant fromInclusive, Instant toExclusive, int top) {
        Instant from = Objects.requireNonNull(fromInclusive, "from").truncatedTo(ChronoUnit.MICROS);
        Instant to = Objects.requireNonNull(toExclusive, "to").truncatedTo(ChronoUnit.MICROS);
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to " + to + " is before from " + from);
        }
        if (top < 1 || top > AuditAnalytics.MAX_TOP) {
            throw new IllegalArgumentException("top is not within 1.." + AuditAnalytics.MAX_TOP + ": " + top);
        }
        return guard.locked(() -> {
            Tally total = new Tally();
            Map<String, Tally> providers = new HashMap<>();
            Map<List<String>, Tally> models = new HashMap<>();
            Map<String, Tally> keys = new HashMap<>();
            Map<String, Tally> users = new HashMap<>();
            TreeMap<LocalDate, Tally> days = new TreeMap<>();
            long[] latencies = new long[16];
            int n = 0;
            for (AuditRecord record : range(from, to)) {
                total.add(record);
                providers.computeIfAbsent(record.provider(), p -> new Tally()).add(record);
                models.computeIfAbsent(List.of(record.provider(), record.model()), m -> new Tally()).add(record);
                record.keyId().ifPresent(k -> keys.computeIfAbsent(k.value(), id -> new Tally()).add(record));
                record.userId().ifPresent(u -> users.computeIfAbsent(u, id -> new Tally()).add(record));
                days.computeIfAbsent(LocalDate.ofInstant(record.timestamp(), ZoneOffset.UTC), d -> new Tally())
                        .add(record);
                if (n == latencies.length) {
                    latencies = Arrays.copyOf(latencies, n * 2);
                }
                latencies[n++] = record.latencyMicros();
            }
            long[] ascending = Arrays.copyOf(latencies, n);
            Arrays.sort(ascending);
            List<AuditAnalytics.ByModel> byModel = models.entrySet().stream()
                    .map(e -> e.getValue().model(e.getKey().get(0), e.getKey().get(1)))
                    .toList();
            return new AuditAnalytics(from, to, total.requests, total.errors, total.cached, total.promptTokens,
                    total.completionTokens, total.costMicros, AuditAnalytics.Latency.of(ascending),
                    providers.entrySet().stream().map(e -> e.getValue().provider(e.getKey()))
                            .sorted(AuditAnalytics.PROVIDERS_BY_COST).toList(),
                    byModel.stream().sorted(AuditAnalytics.MODELS_BY_COST).limit(top).toList(),
                    byModel.stream().sorted(AuditAnalytics.MODELS_BY_REQUESTS).limit(top).toList(),
                    callers(keys, top), callers(users, top),
                    days.entrySet().stream().map(e -> e.getValue().day(e.getKey())).toList());
        });
    }

    /** The records with {@code from <= timestamp < to}, newest first; call with the lock held. */
    private Iterable<AuditRecord> range(Instant from, Instant to) {
        return () -> newestFirst.keySet().stream()
                .dropWhile(record -> !record.timestamp().isBefore(to))
                .takeWhile(record -> !record.timestamp().isBefore(from))
                .iterator();
    }

    private static List<AuditAnalytics.ByCaller> callers(Map<String, Tally> callers, int top) {
        return callers.entrySet().stream()
                .map(e -> new AuditAnalytics.ByCaller(e.getKey(), e.getValue().requests, e.getValue().costMicros))
                .sorted(AuditAnalytics.CALLERS_BY_REQUESTS)
                .limit(top)
                .toList();
    }

    /** Running sums over some of a range's records; overflow fails rather than wraps. */
    private static final class Tally {
        long requests;
        long errors;
        long cached;
        long promptTokens;
        long completionTokens;
        long costMicros;

        void add(AuditRecord record) {
            requests++;
            errors += record.failed() ? 1 : 0;
            cached += record.cached() ? 1 : 0;
            promptTokens = Math.addExact(promptTokens, record.promptTokens());
            completionTokens = Math.addExact(completionTokens, record.completionTokens());
            costMicros = Math.addExact(costMicros, record.costMicros());
        }

        AuditAnalytics.ByProvider provider(String provider) {
            return new AuditAnalytics.ByProvider(provider, requests, errors, cached, promptTokens, completionTokens,
                    costMicros);
        }

        AuditAnalytics.ByModel model(String provider, String model) {
            return new AuditAnalytics.ByModel(provider, model, requests, errors, cached, promptTokens,
                    completionTokens, costMicros);
        }

        AuditAnalytics.ByDay day(LocalDate date) {
            return new AuditAnalytics.ByDay(date, requests, errors, cached, costMicros);
        }
    }
}
