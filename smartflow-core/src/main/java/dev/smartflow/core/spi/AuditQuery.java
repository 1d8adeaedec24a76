package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * Which audit records {@link AuditLog#query} returns: the newest {@code limit} that match every filter present.
 *
 * <pre>{@code
 * List<AuditRecord> page = audit.query(AuditQuery.latest(50).withProvider("openai").since(dayStart));
 * }</pre>
 *
 * @param limit    how many records at most; 1..{@value #MAX_LIMIT}
 * @param provider only this provider's records; made storable as a record's text is (see {@link AuditRecord}), so
 *                 that a filter matches the records made with the same text, and no store refuses it
 * @param keyId    only this key's records; made storable alike
 * @param since    only records at or after this time; kept to the microsecond, as record timestamps are
 * @param traceId  only the records of this run (trace id); made storable alike
 */
public record AuditQuery(int limit, Optional<String> provider, Optional<KeyId> keyId, Optional<Instant> since,
                         Optional<String> traceId) {
    public static final int MAX_LIMIT = 10_000;

    public AuditQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit is not within 1.." + MAX_LIMIT + ": " + limit);
        }
        provider = AuditRecord.storable(Objects.requireNonNull(provider, "provider"));
        keyId = AuditRecord.storableKey(Objects.requireNonNull(keyId, "keyId"));
        since = Objects.requireNonNull(since, "since").map(t -> t.truncatedTo(ChronoUnit.MICROS));
        traceId = AuditRecord.storable(Objects.requireNonNull(traceId, "traceId"));
    }

    /** The newest {@code limit} records of one run (a trace view reverses them into the order they were made). */
    public static AuditQuery trace(String traceId, int limit) {
        return new AuditQuery(limit, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(traceId));
    }

    /** The newest {@code limit} records, unfiltered. */
    public static AuditQuery latest(int limit) {
        return new AuditQuery(limit, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public AuditQuery withProvider(String provider) {
        return new AuditQuery(limit, Optional.of(provider), keyId, since, traceId);
    }

    public AuditQuery withKey(KeyId keyId) {
        return new AuditQuery(limit, provider, Optional.of(keyId), since, traceId);
    }

    public AuditQuery since(Instant since) {
        return new AuditQuery(limit, provider, keyId, Optional.of(since), traceId);
    }

    public AuditQuery withTrace(String traceId) {
        return new AuditQuery(limit, provider, keyId, since, Optional.of(traceId));
    }

    /** Whether {@code record} passes the filters (the limit aside). */
    public boolean matches(AuditRecord record) {
        return provider.map(record.provider()::equals).orElse(true)
                && keyId.map(id -> record.keyId().equals(Optional.of(id))).orElse(true)
                && since.map(t -> !record.timestamp().isBefore(t)).orElse(true)
                && traceId.map(t -> record.traceId().equals(Optional.of(t))).orElse(true);
    }
}
