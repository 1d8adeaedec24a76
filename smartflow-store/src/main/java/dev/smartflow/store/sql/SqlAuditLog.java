package dev.smartflow.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.routing.AttemptOutcome;
import dev.smartflow.core.spi.AuditAnalytics;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.AuditSummary;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.RejectedRecordException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The {@link AuditLog} of a {@link SqlDatabase}: table {@code audit_log}, keyed by request id.
 *
 * <p>A batch is one transaction of {@code INSERT ... ON CONFLICT DO NOTHING} rows (the form both databases accept),
 * so a record already logged is skipped and a retried batch adds only what is missing. The batch is first cut to one
 * record per request id (the first wins) and then sorted by request id: two batches that share records then take
 * their row locks in the same order and cannot deadlock. A batch the database refuses for what a record holds (see
 * {@link #REFUSED_DATA}) fails with {@link RejectedRecordException}, anything else as JDBI's exception. Queries and
 * the summary read ranges of {@code ts_us} through the indexes on {@code (ts_us)}, {@code (provider, ts_us)} and
 * {@code (key_id, ts_us)}.
 *
 * <p>The analytics are six aggregate queries over the range, in one REPEATABLE READ transaction (on PostgreSQL one
 * snapshot, so the figures agree with each other). The top lists are cut in SQL (window ranks or
 * {@code ORDER BY ... LIMIT}), so no more rows than the answer holds leave the database, whatever the range. Latency
 * percentiles rank the range's rows with {@code ROW_NUMBER()} and pick the nearest ranks: {@code PERCENTILE_DISC}
 * would be shorter, but H2's rounds differently from PostgreSQL's (for 6 values H2's 90th percentile is the 5th,
 * PostgreSQL's the 6th). Every query finds its range through {@code audit_log_ts}. Covering indexes were measured and
 * left out: the log is appended in time order, so a range's rows already sit together in the table, and on
 * PostgreSQL 15 with 1M rows (a 7-day range of 233k) {@code (ts_us, latency_us)} took the percentiles from 180 to
 * 165 ms (the sort dominates) and {@code (ts_us, key_id, cost_micros)} left the top keys at 80-90 ms, while each
 * would cost every audit insert one more index entry.
 */
final class SqlAuditLog implements AuditLog {
    private static final String COLUMNS = "request_id, ts_us, key_id, user_id, org_id, team_id, route, provider, "
            + "model, prompt_tokens, completion_tokens, cost_micros, cached, hit_type, compliance_score, "
            + "compliance_flags, latency_us, status, error, attempts, trace_id";
    private static final String INSERT = "INSERT INTO audit_log (" + COLUMNS + ") VALUES "
            + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    private static final String RANGE = " FROM audit_log WHERE ts_us >= :from AND ts_us < :to";
    private static final String FIGURES = "COUNT(*) AS requests, "
            + "SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors, "
            + "SUM(CASE WHEN cached THEN 1 ELSE 0 END) AS cached, "
            + "SUM(prompt_tokens) AS prompt, SUM(completion_tokens) AS completion, SUM(cost_micros) AS cost";
    private static final String BY_PROVIDER = "SELECT provider, " + FIGURES + RANGE + " GROUP BY provider";
    /** Floor division by a day's microseconds; SQL's integer division truncates towards zero, before 1970 too. */
    private static final String BY_DAY = "SELECT epoch_day, COUNT(*) AS requests, "
            + "SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors, "
            + "SUM(CASE WHEN cached THEN 1 ELSE 0 END) AS cached, SUM(cost_micros) AS cost FROM ("
            + "SELECT CASE WHEN ts_us >= 0 THEN ts_us / 86400000000 ELSE (ts_us + 1) / 86400000000 - 1 END "
            + "AS epoch_day, status, cached, cost_micros" + RANGE + ") grouped GROUP BY epoch_day ORDER BY epoch_day";
    /** The rows at the nearest ranks of every percentile; n comes with them, so the ranks are of the same rows. */
    private static final String LATENCY = "SELECT rn, latency_us, n FROM (SELECT latency_us, "
            + "ROW_NUMBER() OVER (ORDER BY latency_us) AS rn, COUNT(*) OVER () AS n" + RANGE + ") ranked "
            + "WHERE rn IN (" + AuditAnalytics.Latency.PERCENTS.stream()
                    .map(p -> "(" + p + " * n + 99) / 100")
                    .collect(Collectors.joining(", ")) + ")";

    /**
     * The SQLState classes of a refusal for what a record holds, never an outage: 22 data exception (PostgreSQL's
     * 22021 for a NUL byte, 22001 for a value too long), 23 integrity constraint violation (a CHECK an operator added),
     * 54 program limit exceeded (an index entry too large). Connection failures (08), a terminated backend (57P01),
     * a missing table (42P01) or a serialization failure (40) are outages and retried.
     */
    private static final Set<String> REFUSED_DATA = Set.of("22", "23", "54");

    private final SqlDatabase database;
    private final String newestFirst;
    private final String byModel;
    private final String topKeys;
    private final String topUsers;

    SqlAuditLog(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.newestFirst = " ORDER BY ts_us DESC, " + dialect.binary("request_id") + " DESC";
        String names = dialect.binary("provider") + ", " + dialect.binary("model");
        this.byModel = "SELECT provider, model, requests, errors, cached, prompt, completion, cost, by_cost, "
                + "by_requests FROM (SELECT provider, model, requests, errors, cached, prompt, completion, cost, "
                + "ROW_NUMBER() OVER (ORDER BY cost DESC, requests DESC, " + names + ") AS by_cost, "
                + "ROW_NUMBER() OVER (ORDER BY requests DESC, cost DESC, " + names + ") AS by_requests "
                + "FROM (SELECT provider, model, " + FIGURES + RANGE + " GROUP BY provider, model) grouped) ranked "
                + "WHERE by_cost <= :top OR by_requests <= :top";
        this.topKeys = topCallers("key_id", dialect);
        this.topUsers = topCallers("user_id", dialect);
    }

    private static String topCallers(String column, Dialect dialect) {
        return "SELECT " + column + " AS id, COUNT(*) AS requests, SUM(cost_micros) AS cost" + RANGE + " AND "
                + column + " IS NOT NULL GROUP BY " + column + " ORDER BY requests DESC, cost DESC, "
                + dialect.binary(column) + " LIMIT :top";
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
        // Plain JDBC for the one statement that runs for every call: JDBI's named binding allocated per bound value
        // (6% of the gateway's allocation at full load, measured with JFR), for nothing a batch insert needs.
        return database.jdbi().inTransaction(handle -> insert(handle, batch));
    }

    private static int insert(Handle handle, List<AuditRecord> batch) {
        try (PreparedStatement insert = handle.getConnection().prepareStatement(INSERT)) {
            for (AuditRecord record : batch) {
                try {
                    bind(insert, record);
                } catch (ArithmeticException e) {
                    throw new RejectedRecordException("a value does not fit its column (" + e.getMessage() + ")", e);
                }
                insert.addBatch();
            }
            int added = 0;
            for (int count : insert.executeBatch()) {
                // a driver may answer SUCCESS_NO_INFO (-2) for a row it inserted
                added += count > 0 || count == Statement.SUCCESS_NO_INFO ? 1 : 0;
            }
            return added;
        } catch (SQLException e) {
            String state = sqlState(e);
            if (state != null && REFUSED_DATA.contains(state.substring(0, Math.min(2, state.length())))) {
                throw new RejectedRecordException("the database refused the batch (SQLState " + state + ")", e);
            }
            // what JDBI would have thrown, so callers see one kind of failure whichever way the SQL ran
            throw new UnableToExecuteStatementException("audit insert failed", e, null);
        }
    }

    /**
     * The first SQLState the failure carries: a batch failure often keeps the statement's own in its next exception
     * or its cause. Bounded, in case a driver chains in a circle.
     */
    private static String sqlState(SQLException failure) {
        int steps = 0;
        for (SQLException next = failure; next != null && steps < 16; next = next.getNextException(), steps++) {
            if (next.getSQLState() != null) {
                return next.getSQLState();
            }
        }
        for (Throwable cause = failure.getCause(); cause != null && steps < 32; cause = cause.getCause(), steps++) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private static void bind(PreparedStatement insert, AuditRecord record) throws SQLException {
        int i = 1;
        insert.setString(i++, record.requestId());
        insert.setLong(i++, Columns.micros(record.timestamp()));
        insert.setString(i++, record.keyId().map(KeyId::value).orElse(null));
        insert.setString(i++, record.userId().orElse(null));
        insert.setString(i++, record.orgId().orElse(null));
        insert.setString(i++, record.teamId().orElse(null));
        insert.setString(i++, record.route());
        insert.setString(i++, record.provider());
        insert.setString(i++, record.model());
        insert.setLong(i++, record.promptTokens());
        insert.setLong(i++, record.completionTokens());
        insert.setLong(i++, record.costMicros());
        insert.setBoolean(i++, record.cached());
        insert.setString(i++, record.hitType().orElse(null));
        if (record.complianceScore().isPresent()) {
            insert.setDouble(i++, record.complianceScore().getAsDouble());
        } else {
            insert.setNull(i++, Types.DOUBLE);
        }
        insert.setString(i++, Columns.json(record.complianceFlags()));
        insert.setLong(i++, record.latencyMicros());
        insert.setInt(i++, record.status());
        insert.setString(i++, record.error().orElse(null));
        insert.setString(i++, record.attempts().isEmpty() ? null
                : AttemptOutcome.toJson(record.attempts()).toString());
        insert.setString(i, record.traceId().orElse(null));
    }

    @Override
    public List<AuditRecord> query(AuditQuery query) {
        Objects.requireNonNull(query, "query");
        List<String> where = new ArrayList<>();
        query.provider().ifPresent(p -> where.add("provider = :provider"));
        query.keyId().ifPresent(k -> where.add("key_id = :keyId"));
        query.since().ifPresent(t -> where.add("ts_us >= :since"));
        query.traceId().ifPresent(t -> where.add("trace_id = :traceId"));
        String sql = "SELECT " + COLUMNS + " FROM audit_log"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + newestFirst + " LIMIT :limit";
        return database.jdbi().withHandle(handle -> {
            Query select = handle.createQuery(sql).bind("limit", query.limit());
            query.provider().ifPresent(p -> select.bind("provider", p));
            query.keyId().ifPresent(k -> select.bind("keyId", k.value()));
            query.since().ifPresent(t -> select.bind("since", Columns.micros(t)));
            query.traceId().ifPresent(t -> select.bind("traceId", t));
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
        long fromUs = Columns.micros(from);
        long toUs = Columns.micros(to);
        return database.jdbi().inTransaction(TransactionIsolationLevel.REPEATABLE_READ,
                handle -> analytics(handle, from, to, fromUs, toUs, top));
    }

    private AuditAnalytics analytics(Handle handle, Instant from, Instant to, long fromUs, long toUs, int top) {
        List<AuditAnalytics.ByProvider> providers = new ArrayList<>(range(handle, BY_PROVIDER, fromUs, toUs)
                .map((rs, ctx) -> new AuditAnalytics.ByProvider(rs.getString("provider"), rs.getLong("requests"),
                        rs.getLong("errors"), rs.getLong("cached"), rs.getLong("prompt"), rs.getLong("completion"),
                        rs.getLong("cost")))
                .list());
        if (providers.isEmpty()) {
            return AuditAnalytics.empty(from, to);
        }
        // Few providers exist, so they are sorted here, by the very comparator the in-memory log uses.
        providers.sort(AuditAnalytics.PROVIDERS_BY_COST);
        List<RankedModel> ranked = range(handle, byModel, fromUs, toUs).bind("top", top)
                .map((rs, ctx) -> new RankedModel(new AuditAnalytics.ByModel(rs.getString("provider"),
                        rs.getString("model"), rs.getLong("requests"), rs.getLong("errors"), rs.getLong("cached"),
                        rs.getLong("prompt"), rs.getLong("completion"), rs.getLong("cost")),
                        rs.getLong("by_cost"), rs.getLong("by_requests")))
                .list();
        List<AuditAnalytics.ByDay> days = range(handle, BY_DAY, fromUs, toUs)
                .map((rs, ctx) -> new AuditAnalytics.ByDay(LocalDate.ofEpochDay(rs.getLong("epoch_day")),
                        rs.getLong("requests"), rs.getLong("errors"), rs.getLong("cached"), rs.getLong("cost")))
                .list();
        List<RankedLatency> latencies = range(handle, LATENCY, fromUs, toUs)
                .map((rs, ctx) -> new RankedLatency(rs.getLong("n"), rs.getLong("rn"), rs.getLong("latency_us")))
                .list();
        Map<Long, Long> atRank = new HashMap<>();
        latencies.forEach(row -> atRank.put(row.rank(), row.micros()));
        long n = latencies.isEmpty() ? 0 : latencies.getFirst().n();
        return new AuditAnalytics(from, to,
                sum(providers, AuditAnalytics.ByProvider::requests), sum(providers, AuditAnalytics.ByProvider::errors),
                sum(providers, AuditAnalytics.ByProvider::cached),
                sum(providers, AuditAnalytics.ByProvider::promptTokens),
                sum(providers, AuditAnalytics.ByProvider::completionTokens),
                sum(providers, AuditAnalytics.ByProvider::costMicros),
                AuditAnalytics.Latency.ofRanks(n, atRank::get),
                providers,
                ranked.stream().filter(m -> m.byCost() <= top).sorted(Comparator.comparingLong(RankedModel::byCost))
                        .map(RankedModel::model).toList(),
                ranked.stream().filter(m -> m.byRequests() <= top)
                        .sorted(Comparator.comparingLong(RankedModel::byRequests))
                        .map(RankedModel::model).toList(),
                callers(handle, topKeys, fromUs, toUs, top), callers(handle, topUsers, fromUs, toUs, top), days);
    }

    private static Query range(Handle handle, String sql, long fromUs, long toUs) {
        return handle.createQuery(sql).bind("from", fromUs).bind("to", toUs);
    }

    private static List<AuditAnalytics.ByCaller> callers(Handle handle, String sql, long fromUs, long toUs,
                                                         int top) {
        return range(handle, sql, fromUs, toUs).bind("top", top)
                .map((rs, ctx) -> new AuditAnalytics.ByCaller(rs.getString("id"), rs.getLong("requests"),
                        rs.getLong("cost")))
                .list();
    }

    private static <T> long sum(List<T> rows, ToLongFunction<T> figure) {
        long total = 0;
        for (T row : rows) {
            total = Math.addExact(total, figure.applyAsLong(row));
        }
        return total;
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
                Columns.optionalString(rs, "error"),
                attempts(rs.getString("attempts")),
                Columns.optionalString(rs, "trace_id"));
    }

    private static List<AttemptOutcome> attempts(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return AttemptOutcome.fromJson(Body.MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }

    private record ProviderTotals(String provider, long requests, long errors, long cached, long costMicros) {
    }

    /** The latency at a rank among the n of the range. */
    private record RankedLatency(long n, long rank, long micros) {
    }

    /** A model's figures with its rank in each of the two orders. */
    private record RankedModel(AuditAnalytics.ByModel model, long byCost, long byRequests) {
    }
}
