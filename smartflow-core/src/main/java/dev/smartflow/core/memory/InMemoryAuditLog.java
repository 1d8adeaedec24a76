package dev.smartflow.core.memory;

import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.AuditSummary;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The {@link AuditLog} of an {@link InMemoryDatabase}. Thread-safe: one lock guards the log, so a batch is appended
 * atomically. Records are kept newest first in a sorted map, so a query walks only as far as its limit needs among
 * the records that match.
 */
public final class InMemoryAuditLog implements AuditLog {
    private static final Comparator<AuditRecord> NEWEST_FIRST = Comparator.comparing(AuditRecord::timestamp)
            .thenComparing(AuditRecord::requestId)
            .reversed();

    private final AtomicBoolean closed;
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<AuditRecord, AuditRecord> newestFirst = new TreeMap<>(NEWEST_FIRST);
    private final Map<String, AuditRecord> byRequestId = new HashMap<>();

    InMemoryAuditLog(AtomicBoolean closed) {
        this.closed = closed;
    }

    @Override
    public int append(List<AuditRecord> records) {
        List<AuditRecord> batch = List.copyOf(records);
        return locked(() -> {
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
        return locked(() -> {
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
        return locked(() -> {
            long requests = 0;
            long errors = 0;
            long cached = 0;
            Map<String, Long> cost = new HashMap<>();
            for (AuditRecord record : newestFirst.keySet()) {
                if (record.timestamp().isBefore(from) || !record.timestamp().isBefore(to)) {
                    continue;
                }
                requests++;
                errors += record.failed() ? 1 : 0;
                cached += record.cached() ? 1 : 0;
                cost.merge(record.provider(), record.costMicros(), Math::addExact);
            }
            return new AuditSummary(requests, errors, cached, cost);
        });
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            InMemoryDatabase.requireOpen(closed);
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
