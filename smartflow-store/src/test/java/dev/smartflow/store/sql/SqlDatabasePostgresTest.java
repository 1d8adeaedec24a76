package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.testkit.DatabaseContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract against the real PostgreSQL, in a schema of its own that is dropped afterwards ({@link PostgresSchema}
 * says where the server is found and when the suite may skip).
 */
class SqlDatabasePostgresTest extends DatabaseContract implements AuditRefusals {
    @RegisterExtension
    static final FreshPostgres POSTGRES = new FreshPostgres();

    private final List<Database> others = new ArrayList<>();

    @Override
    protected Database create() {
        return POSTGRES.emptyDatabase();
    }

    @AfterEach
    void closeOthers() {
        others.forEach(Database::close);
    }

    @Test
    void twoGatewaysAddSpendToOneTotal() throws Exception {
        Database other = gateway();

        concurrently(i -> (i % 2 == 0 ? keys : other.keys()).addSpend(KeyId.of("shared"), "2026-11", 3));

        assertEquals(600, keys.spend(KeyId.of("shared"), "2026-11"));
        assertEquals(600, other.keys().spend(KeyId.of("shared"), "2026-11"));
    }

    @Test
    void twoGatewaysRetryingTheSameBatchLogItOnce() throws Exception {
        Database other = gateway();
        var batch = IntStream.range(0, 50).mapToObj(i -> record("r" + i, T0.plusSeconds(i))).toList();

        List<Integer> added = concurrently(i -> (i % 2 == 0 ? audit : other.audit()).append(batch));

        assertEquals(50, added.stream().mapToInt(Integer::intValue).sum());
        assertEquals(50, audit.query(AuditQuery.latest(1_000)).size());
    }

    @Test
    void everyTableLivesInTheRunsOwnSchema() throws SQLException {
        try (Connection admin = DriverManager.getConnection(PostgresSchema.SERVER);
             Statement statement = admin.createStatement();
             var tables = statement.executeQuery("SELECT table_name FROM information_schema.tables "
                     + "WHERE table_schema = '" + POSTGRES.schemaName() + "' ORDER BY table_name")) {
            List<String> names = new ArrayList<>();
            while (tables.next()) {
                names.add(tables.getString(1));
            }
            assertEquals(List.of("a2a_agents", "audit_log", "key_spend", "mcp_access_requests", "mcp_calls", "mcp_grants",
                    "mcp_servers", "mcp_user_tokens", "policies", "policy_assignments", "policy_counters",
                    "policy_jobs", "policy_preset_members", "policy_presets", "policy_suggestions", "routing_chains",
                    "schema_version", "users", "vector_store_chunks", "vector_store_files", "vector_stores", "virtual_keys"),
                    names);
        }
    }

    @Test
    void gatewaysStartingTogetherOnAnEmptySchemaMigrateItOnce() throws Exception {
        PostgresSchema fresh = PostgresSchema.create(POSTGRES.schemaName() + "_fresh");
        try {
            List<Database> started = new ArrayList<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Database>> starting = IntStream.range(0, 4)
                        .mapToObj(i -> threads.submit(() -> (Database) SqlDatabase.postgres(fresh.url())))
                        .toList();
                for (Future<Database> future : starting) {
                    started.add(future.get());
                }
            }
            started.forEach(Database::close);
            try (Connection admin = DriverManager.getConnection(fresh.url());
                 Statement statement = admin.createStatement();
                 var versions = statement.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                versions.next();
                assertEquals(Migrator.MIGRATIONS.size(), versions.getInt(1));
            }
        } finally {
            PostgresSchema.drop(fresh);
        }
    }

    @Override
    public SqlDatabase sql() {
        return (SqlDatabase) database;
    }

    private Database gateway() {
        Database other = POSTGRES.open();
        others.add(other);
        return other;
    }
}
