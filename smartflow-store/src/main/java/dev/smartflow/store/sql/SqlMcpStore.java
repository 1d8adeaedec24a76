package dev.smartflow.store.sql;

import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.McpStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@link McpStore} of a {@link SqlDatabase}: tables {@code mcp_servers}, {@code mcp_grants},
 * {@code mcp_access_requests}, {@code mcp_calls} and {@code mcp_user_tokens} (migration V7). Replacing puts are
 * update-else-insert-if-absent-else-update, as {@link SqlChainStore}'s, so two instances writing one id at once
 * cannot fail on the key; inserts that must not replace are {@code ON CONFLICT DO NOTHING}. A decision is one
 * transaction: the conditional update of a pending request and, when approved, its grant.
 */
final class SqlMcpStore implements McpStore {
    private static final String CALL_COLUMNS = "id, trace_id, at_us, key_id, tenant, server_id, tool, method, status, "
            + "error, cost_micros, latency_us";
    private static final String REQUEST_COLUMNS = "id, key_id, server_id, tool, reason, status, created_at_us, "
            + "decided_at_us, note";

    private final SqlDatabase database;
    private final String serversById;
    private final String grantOrder;
    private final String requestsNewestFirst;
    private final String callsNewestFirst;
    private final String usageOrder;

    SqlMcpStore(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.serversById = " ORDER BY " + dialect.binary("id");
        this.grantOrder = " ORDER BY " + dialect.binary("key_id") + ", " + dialect.binary("server_id") + ", "
                + dialect.binary("tool");
        this.requestsNewestFirst = " ORDER BY created_at_us DESC, " + dialect.binary("id") + " DESC";
        this.callsNewestFirst = " ORDER BY at_us DESC, " + dialect.binary("id") + " DESC";
        this.usageOrder = " ORDER BY " + dialect.binary("server_id") + ", " + dialect.binary("tool");
    }

    // --- servers

    @Override
    public boolean putServer(Server server) {
        Objects.requireNonNull(server, "server");
        return database.jdbi().inTransaction(handle -> {
            if (updateServer(handle, server) > 0) {
                return false;
            }
            int inserted = handle.createUpdate("INSERT INTO mcp_servers (id, definition, secrets, updated_at_us) "
                            + "VALUES (:id, :definition, :secrets, :at) ON CONFLICT DO NOTHING")
                    .bind("id", server.id()).bind("definition", server.definition())
                    .bind("secrets", server.secrets()).bind("at", Columns.micros(server.updatedAt())).execute();
            if (inserted == 0) {
                updateServer(handle, server);
            }
            return inserted > 0;
        });
    }

    private static int updateServer(Handle handle, Server server) {
        return handle.createUpdate("UPDATE mcp_servers SET definition = :definition, secrets = :secrets, "
                        + "updated_at_us = :at WHERE id = :id")
                .bind("id", server.id()).bind("definition", server.definition()).bind("secrets", server.secrets())
                .bind("at", Columns.micros(server.updatedAt())).execute();
    }

    @Override
    public Optional<Server> server(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT id, definition, secrets, updated_at_us FROM mcp_servers WHERE id = :id")
                .bind("id", id).map(SqlMcpStore::server).findOne());
    }

    @Override
    public List<Server> servers() {
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT id, definition, secrets, updated_at_us FROM mcp_servers" + serversById)
                .map(SqlMcpStore::server).list());
    }

    @Override
    public boolean deleteServer(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().inTransaction(handle -> {
            handle.createUpdate("DELETE FROM mcp_grants WHERE server_id = :id").bind("id", id).execute();
            handle.createUpdate("DELETE FROM mcp_user_tokens WHERE server_id = :id").bind("id", id).execute();
            return handle.createUpdate("DELETE FROM mcp_servers WHERE id = :id").bind("id", id).execute() > 0;
        });
    }

    private static Server server(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Server(rs.getString("id"), rs.getString("definition"), rs.getString("secrets"),
                Columns.instant(rs.getLong("updated_at_us")));
    }

    // --- grants

    @Override
    public boolean grant(Grant grant) {
        Objects.requireNonNull(grant, "grant");
        return database.jdbi().withHandle(handle -> insertGrant(handle, grant)) > 0;
    }

    private static int insertGrant(Handle handle, Grant grant) {
        return handle.createUpdate("INSERT INTO mcp_grants (key_id, server_id, tool, granted_at_us) "
                        + "VALUES (:key, :server, :tool, :at) ON CONFLICT DO NOTHING")
                .bind("key", grant.key().value()).bind("server", grant.serverId()).bind("tool", grant.tool())
                .bind("at", Columns.micros(grant.grantedAt())).execute();
    }

    @Override
    public boolean revoke(KeyId key, String serverId, String tool) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(tool, "tool");
        return database.jdbi().withHandle(handle -> handle.createUpdate(
                        "DELETE FROM mcp_grants WHERE key_id = :key AND server_id = :server AND tool = :tool")
                .bind("key", key.value()).bind("server", serverId).bind("tool", tool).execute()) > 0;
    }

    @Override
    public List<Grant> grants() {
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT key_id, server_id, tool, granted_at_us FROM mcp_grants" + grantOrder)
                .map((rs, ctx) -> new Grant(KeyId.of(rs.getString("key_id")), rs.getString("server_id"),
                        rs.getString("tool"), Columns.instant(rs.getLong("granted_at_us"))))
                .list());
    }

    // --- access requests

    @Override
    public boolean requestAccess(AccessRequest request) {
        Objects.requireNonNull(request, "request");
        return database.jdbi().withHandle(handle -> handle.createUpdate("INSERT INTO mcp_access_requests ("
                        + REQUEST_COLUMNS + ") VALUES (:id, :key, :server, :tool, :reason, :status, :created, "
                        + ":decided, :note) ON CONFLICT DO NOTHING")
                .bind("id", request.id()).bind("key", request.key().value()).bind("server", request.serverId())
                .bind("tool", request.tool()).bind("reason", request.reason())
                .bind("status", request.status().name()).bind("created", Columns.micros(request.createdAt()))
                .bind("decided", Columns.nullableMicros(request.decidedAt()))
                .bind("note", request.note().orElse(null)).execute()) > 0;
    }

    @Override
    public Optional<AccessRequest> accessRequest(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> findRequest(handle, id));
    }

    private static Optional<AccessRequest> findRequest(Handle handle, String id) {
        return handle.createQuery("SELECT " + REQUEST_COLUMNS + " FROM mcp_access_requests WHERE id = :id")
                .bind("id", id).map(SqlMcpStore::request).findOne();
    }

    @Override
    public List<AccessRequest> accessRequests(Optional<KeyId> key, Optional<Status> status) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(status, "status");
        StringBuilder sql = new StringBuilder("SELECT " + REQUEST_COLUMNS + " FROM mcp_access_requests WHERE 1 = 1");
        key.ifPresent(k -> sql.append(" AND key_id = :key"));
        status.ifPresent(s -> sql.append(" AND status = :status"));
        sql.append(requestsNewestFirst);
        return database.jdbi().withHandle(handle -> {
            Query query = handle.createQuery(sql.toString());
            key.ifPresent(k -> query.bind("key", k.value()));
            status.ifPresent(s -> query.bind("status", s.name()));
            return query.map(SqlMcpStore::request).list();
        });
    }

    @Override
    public Optional<AccessRequest> decide(String id, boolean approve, Instant at, Optional<String> note) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(note, "note");
        return database.jdbi().inTransaction(handle -> {
            int updated = handle.createUpdate("UPDATE mcp_access_requests SET status = :status, decided_at_us = :at, "
                            + "note = :note WHERE id = :id AND status = :pending")
                    .bind("status", (approve ? Status.APPROVED : Status.DENIED).name())
                    .bind("at", Columns.micros(at)).bind("note", note.orElse(null)).bind("id", id)
                    .bind("pending", Status.PENDING.name()).execute();
            if (updated == 0) {
                return Optional.<AccessRequest>empty();
            }
            AccessRequest decided = findRequest(handle, id).orElseThrow();
            if (approve) {
                insertGrant(handle, new Grant(decided.key(), decided.serverId(), decided.tool(),
                        decided.decidedAt().orElseThrow()));
            }
            return Optional.of(decided);
        });
    }

    private static AccessRequest request(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AccessRequest(rs.getString("id"), KeyId.of(rs.getString("key_id")), rs.getString("server_id"),
                rs.getString("tool"), rs.getString("reason"), Status.valueOf(rs.getString("status")),
                Columns.instant(rs.getLong("created_at_us")), Columns.optionalInstant(rs, "decided_at_us"),
                Columns.optionalString(rs, "note"));
    }

    // --- invocations

    @Override
    public int log(List<Call> calls) {
        // one row per id (the first wins), in id order, so overlapping batches lock rows in the same order
        Map<String, Call> unique = new LinkedHashMap<>();
        for (Call call : calls) {
            unique.putIfAbsent(call.id(), call);
        }
        if (unique.isEmpty()) {
            return 0;
        }
        List<Call> sorted = unique.values().stream().sorted(Comparator.comparing(Call::id)).toList();
        return database.jdbi().inTransaction(handle -> {
            PreparedBatch batch = handle.prepareBatch("INSERT INTO mcp_calls (" + CALL_COLUMNS + ") VALUES (:id, "
                    + ":trace, :at, :key, :tenant, :server, :tool, :method, :status, :error, :cost, :latency) "
                    + "ON CONFLICT DO NOTHING");
            for (Call call : sorted) {
                batch.bind("id", call.id()).bind("trace", call.traceId()).bind("at", Columns.micros(call.at()))
                        .bind("key", call.key().map(KeyId::value).orElse(null)).bind("tenant", call.tenant())
                        .bind("server", call.serverId()).bind("tool", call.tool()).bind("method", call.method())
                        .bind("status", call.status()).bind("error", call.error().orElse(null))
                        .bind("cost", call.costMicros()).bind("latency", call.latencyMicros()).add();
            }
            int added = 0;
            for (int count : batch.execute()) {
                added += Math.max(count, 0);
            }
            return added;
        });
    }

    @Override
    public List<Call> calls(CallQuery query) {
        Objects.requireNonNull(query, "query");
        StringBuilder sql = new StringBuilder("SELECT " + CALL_COLUMNS + " FROM mcp_calls WHERE 1 = 1");
        query.key().ifPresent(k -> sql.append(" AND key_id = :key"));
        query.serverId().ifPresent(s -> sql.append(" AND server_id = :server"));
        query.since().ifPresent(s -> sql.append(" AND at_us >= :since"));
        sql.append(callsNewestFirst).append(" LIMIT :limit");
        return database.jdbi().withHandle(handle -> {
            Query select = handle.createQuery(sql.toString()).bind("limit", query.limit());
            query.key().ifPresent(k -> select.bind("key", k.value()));
            query.serverId().ifPresent(s -> select.bind("server", s));
            query.since().ifPresent(s -> select.bind("since", Columns.micros(s)));
            return select.map(SqlMcpStore::call).list();
        });
    }

    private static Call call(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Call(rs.getString("id"), rs.getString("trace_id"), Columns.instant(rs.getLong("at_us")),
                Columns.optionalString(rs, "key_id").map(KeyId::of), rs.getString("tenant"),
                rs.getString("server_id"), rs.getString("tool"), rs.getString("method"), rs.getInt("status"),
                Columns.optionalString(rs, "error"), rs.getLong("cost_micros"), rs.getLong("latency_us"));
    }

    @Override
    public List<Usage> usage(Optional<KeyId> key, Optional<Instant> since) {
        CallQuery filter = new CallQuery(1, key, Optional.empty(), since);
        StringBuilder sql = new StringBuilder("SELECT server_id, tool, COUNT(*) AS calls, "
                + "SUM(CASE WHEN error IS NULL THEN 0 ELSE 1 END) AS errors, SUM(cost_micros) AS cost "
                + "FROM mcp_calls WHERE 1 = 1");
        filter.key().ifPresent(k -> sql.append(" AND key_id = :key"));
        filter.since().ifPresent(s -> sql.append(" AND at_us >= :since"));
        sql.append(" GROUP BY server_id, tool").append(usageOrder);
        return database.jdbi().withHandle(handle -> {
            Query select = handle.createQuery(sql.toString());
            filter.key().ifPresent(k -> select.bind("key", k.value()));
            filter.since().ifPresent(s -> select.bind("since", Columns.micros(s)));
            return select.map((rs, ctx) -> new Usage(rs.getString("server_id"), rs.getString("tool"),
                    rs.getLong("calls"), rs.getLong("errors"), rs.getLong("cost"))).list();
        });
    }

    // --- tokens

    @Override
    public void putToken(Token token) {
        Objects.requireNonNull(token, "token");
        database.jdbi().useTransaction(handle -> {
            if (updateToken(handle, token) > 0) {
                return;
            }
            int inserted = handle.createUpdate("INSERT INTO mcp_user_tokens (server_id, subject, sealed, "
                            + "updated_at_us) VALUES (:server, :subject, :sealed, :at) ON CONFLICT DO NOTHING")
                    .bind("server", token.serverId()).bind("subject", token.subject()).bind("sealed", token.sealed())
                    .bind("at", Columns.micros(token.updatedAt())).execute();
            if (inserted == 0) {
                updateToken(handle, token);
            }
        });
    }

    private static int updateToken(Handle handle, Token token) {
        return handle.createUpdate("UPDATE mcp_user_tokens SET sealed = :sealed, updated_at_us = :at "
                        + "WHERE server_id = :server AND subject = :subject")
                .bind("server", token.serverId()).bind("subject", token.subject()).bind("sealed", token.sealed())
                .bind("at", Columns.micros(token.updatedAt())).execute();
    }

    @Override
    public Optional<Token> token(String serverId, String subject) {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(subject, "subject");
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT server_id, subject, sealed, "
                        + "updated_at_us FROM mcp_user_tokens WHERE server_id = :server AND subject = :subject")
                .bind("server", serverId).bind("subject", subject)
                .map((rs, ctx) -> new Token(rs.getString("server_id"), rs.getString("subject"),
                        rs.getString("sealed"), Columns.instant(rs.getLong("updated_at_us"))))
                .findOne());
    }

    @Override
    public boolean deleteToken(String serverId, String subject) {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(subject, "subject");
        return database.jdbi().withHandle(handle -> handle.createUpdate(
                        "DELETE FROM mcp_user_tokens WHERE server_id = :server AND subject = :subject")
                .bind("server", serverId).bind("subject", subject).execute()) > 0;
    }
}
