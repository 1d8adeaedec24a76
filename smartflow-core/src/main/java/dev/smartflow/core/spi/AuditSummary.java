package dev.smartflow.core.spi;

import java.util.Map;
import java.util.Objects;

/**
 * The figures of {@link AuditLog#summary} over a time range.
 *
 * @param requests             how many requests
 * @param errors               how many failed ({@link AuditRecord#failed()}: status 400 or above)
 * @param cached               how many the cache answered
 * @param costMicrosByProvider the cost per provider, in micro-USD; providers without requests are absent
 */
public record AuditSummary(long requests, long errors, long cached, Map<String, Long> costMicrosByProvider) {
    public static final AuditSummary EMPTY = new AuditSummary(0, 0, 0, Map.of());

    public AuditSummary {
        if (requests < 0 || errors < 0 || cached < 0 || errors > requests || cached > requests) {
            throw new IllegalArgumentException("inconsistent counts: requests=" + requests + " errors=" + errors
                    + " cached=" + cached);
        }
        costMicrosByProvider = Map.copyOf(Objects.requireNonNull(costMicrosByProvider, "costMicrosByProvider"));
    }

    /** The cost over every provider, in micro-USD. */
    public long costMicros() {
        return costMicrosByProvider.values().stream().mapToLong(Long::longValue).sum();
    }
}
