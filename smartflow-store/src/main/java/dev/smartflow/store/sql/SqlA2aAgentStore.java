package dev.smartflow.store.sql;

import dev.smartflow.core.spi.A2aAgentStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@link A2aAgentStore} of a {@link SqlDatabase}: table {@code a2a_agents} (migration V9). A create is an insert
 * {@code ON CONFLICT DO NOTHING}, so two instances registering one id at once make exactly one agent; a put is
 * update-else-insert-if-absent-else-update, as {@link SqlMcpStore}'s servers.
 */
final class SqlA2aAgentStore implements A2aAgentStore {
    private static final String COLUMNS = "id, definition, secrets, updated_at_us";

    private final SqlDatabase database;
    private final String byId;

    SqlA2aAgentStore(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.byId = " ORDER BY " + dialect.binary("id");
    }

    @Override
    public boolean create(Agent agent) {
        Objects.requireNonNull(agent, "agent");
        return database.jdbi().withHandle(handle -> insert(handle, agent) > 0);
    }

    @Override
    public boolean put(Agent agent) {
        Objects.requireNonNull(agent, "agent");
        return database.jdbi().inTransaction(handle -> {
            if (update(handle, agent) > 0) {
                return false;
            }
            if (insert(handle, agent) > 0) {
                return true;
            }
            update(handle, agent);
            return false;
        });
    }

    private static int insert(Handle handle, Agent agent) {
        return handle.createUpdate("INSERT INTO a2a_agents (" + COLUMNS + ") VALUES (:id, :definition, :secrets, :at) "
                        + "ON CONFLICT DO NOTHING")
                .bind("id", agent.id()).bind("definition", agent.definition()).bind("secrets", agent.secrets())
                .bind("at", Columns.micros(agent.updatedAt())).execute();
    }

    private static int update(Handle handle, Agent agent) {
        return handle.createUpdate("UPDATE a2a_agents SET definition = :definition, secrets = :secrets, "
                        + "updated_at_us = :at WHERE id = :id")
                .bind("id", agent.id()).bind("definition", agent.definition()).bind("secrets", agent.secrets())
                .bind("at", Columns.micros(agent.updatedAt())).execute();
    }

    @Override
    public Optional<Agent> agent(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT " + COLUMNS + " FROM a2a_agents WHERE id = :id")
                .bind("id", id).map(SqlA2aAgentStore::agent).findOne());
    }

    @Override
    public List<Agent> agents() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM a2a_agents" + byId)
                .map(SqlA2aAgentStore::agent).list());
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> handle.createUpdate("DELETE FROM a2a_agents WHERE id = :id")
                .bind("id", id).execute() > 0);
    }

    private static Agent agent(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Agent(rs.getString("id"), rs.getString("definition"), rs.getString("secrets"),
                Columns.instant(rs.getLong("updated_at_us")));
    }
}
