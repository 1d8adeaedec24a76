package dev.smartflow.store.sql;

import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.AuditSummary;
import dev.smartflow.core.spi.KeyId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@link AuditLog} of a {@link SqlDatabase}: table {@code audit_log}, keyed by request id.
 *
 * <p>A batch is one transaction of {@code INSERT ... ON CONFLICT DO NOTHING} rows (the form both databases accept),
 * so a record already logged is skipped and a retried batch adds only what is missing. The batch is first cut to one
 * record per request id (the first wins) and then sorted by request id: two batches that share records then take
 * their row locks in the same order and cannot deadlock. Queries and the summary read ranges of {@code ts_us} through
 * the indexes on {@code (ts_us)}, {@code (provider, ts_us)} and {@code (key_id, ts_us)}.
 */
final class SqlAuditLog implements AuditLog {
    private static final String COLUMNS = "request_id, ts_us, key_id, user_id, org_id, team_id, route, provider, "
            + "model, prompt_tokens, completion_tokens, cost_micros, cached, hit_type, compliance_score, "
            + "compliance_flags, latency_us, status, error";
    private static final String INSERT = "INSERT INTO audit_log (" + COLUMNS + ") VALUES (:requestId, :ts, :keyId, "
            + ":userId, :orgId, :teamId, :route, :provider, :model, :promptTokens, :completionTokens, :costMicros, "
            + ":cached, :hitType, :complianceScore, :complianceFlags, :latency, :status, :error) "
            + "ON CONFLICT DO NOTHING";

    private final SqlDatabase database;
    private final String newestFirst;

    SqlAuditLog(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.newestFirst = " ORDER BY ts_us DESC, " + dialect.binary("request_id") + " DESC";
    }

    @Override
    public int append(List<AuditRecord> records) {
        Map<String, AuditRecord> firstPerId = new LinkedHashMap<>();
        for (AuditRecord record : List.copyOf(records)) {
            firstPerId.putIfAbsent(record.requestId(), record);
        }
        List<AuditRecord> batch = firstPerId.values().stream()
                .sorted(Comparator.comparing(AuditRecord::requestId))
                .toList();
        if (batch.isEmpty()) {
            database.requireOpen();
            return 0;
        }
        return database.jdbi().inTransaction(handle -> {
            PreparedBatch insert = handle.prepareBatch(INSERT);
            for (AuditRecord record : batch) {
                insert.bind("requestId", record.requestId())
                        .bind("ts", Columns.micros(record.timestamp()))
                        .bind("keyId", record.keyId().map(KeyId::value).orElse(null))
                        .bind("userId", record.userId().orElse(null))
                        .bind("orgId", record.orgId().orElse(null))
                        .bind("teamId", record.teamId().orElse(null))
                        .bind("route", record.route())
                        .bind("provider", record.provider())
                        .bind("model", record.model())
                        .bind("promptTokens", record.promptTokens())
                        .bind("completionTokens", record.completionTokens())
                        .bind("costMicros", record.costMicros())
                        .bind("cached", record.cached())
                        .bind("hitType", record.hitType().orElse(null))
                        .bind("complianceScore", Columns.nullable(record.complianceScore()))
                        .bind("complianceFlags", Columns.json(record.complianceFlags()))
                        .bind("latency", record.latencyMicros())
                        .bind("status", record.status())
                        .bind("error", record.error().orElse(null))
                        .add();
            }
            int added = 0;
            for (int count : insert.execute()) {
                added += count > 0 ? 1 : 0;
            }
            return added;
        });
    }

    @Override
    public List<AuditRecord> query(AuditQuery query) {
        Objects.requireNonNull(query, "query");
        List<String> where = new ArrayList<>();
        query.provider().ifPresent(p -> where.add("provider = :provider"));
        query.keyId().ifPresent(k -> where.add("key_id = :keyId"));
        query.since().ifPresent(t -> where.add("ts_us >= :since"));
        String sql = "SELECT " + COLUMNS + " FROM audit_log"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + newestFirst + " LIMIT :limit";
        return database.jdbi().withHandle(handle -> {
            Query select = handle.createQuery(sql).bind("limit", query.limit());
            query.provider().ifPresent(p -> select.bind("provider", p));
            query.keyId().ifPresent(k -> select.bind("keyId", k.value()));
            query.since().ifPresent(t -> select.bind("since", Columns.micros(t)));
            return select.map(SqlAuditLog::record).list();
        });
    }

    @Override
    public AuditSummary summary(Instant fromInclusive, Instant toExclusive) {
        Instant from = Objects.requireNonNull(fromInclusive, "from").truncatedTo(ChronoUnit.MICROS);
        Instant to = Objects.requireNonNull(toExclusive, "to").truncatedTo(ChronoUnit.MICROS);
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to " + to + " is before from " + from);
        }
        List<ProviderTotals> rows = database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT provider, COUNT(*) AS requests, "
                        + "SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors, "
                        + "SUM(CASE WHEN cached THEN 1 ELSE 0 END) AS cached, "
                        + "SUM(cost_micros) AS cost "
                        + "FROM audit_log WHERE ts_us >= :from AND ts_us < :to GROUP BY provider")
                .bind("from", Columns.micros(from))
                .bind("to", Columns.micros(to))
                .map((rs, ctx) -> new ProviderTotals(rs.getString("provider"), rs.getLong("requests"),
                        rs.getLong("errors"), rs.getLong("cached"), rs.getLong("cost")))
                .list());
        Map<String, Long> cost = new HashMap<>();
        rows.forEach(row -> cost.put(row.provider(), row.costMicros()));
        return new AuditSummary(rows.stream().mapToLong(ProviderTotals::requests).sum(),
                rows.stream().mapToLong(ProviderTotals::errors).sum(),
                rows.stream().mapToLong(ProviderTotals::cached).sum(), cost);
    }

    private static AuditRecord record(ResultSet rs, StatementContext context) throws SQLException {
        return new AuditRecord(
                rs.getString("request_id"),
                Columns.instant(rs.getLong("ts_us")),
                Columns.optionalString(rs, "key_id").map(KeyId::of),
                Columns.optionalString(rs, "user_id"),
                Columns.optionalString(rs, "org_id"),
                Columns.optionalString(rs, "team_id"),
                rs.getString("route"),
                rs.getString("provider"),
                rs.getString("model"),
                rs.getLong("prompt_tokens"),
                rs.getLong("completion_tokens"),
                rs.getLong("cost_micros"),
                rs.getBoolean("cached"),
                Columns.optionalString(rs, "hit_type"),
                Columns.optionalDouble(rs, "compliance_score"),
                Columns.stringList(rs.getString("compliance_flags")),
                rs.getLong("latency_us"),
                rs.getInt("status"),
                Columns.optionalString(rs, "error"));
    }

    private record ProviderTotals(String provider, long requests, long errors, long cached, long costMicros) {
    }
}
