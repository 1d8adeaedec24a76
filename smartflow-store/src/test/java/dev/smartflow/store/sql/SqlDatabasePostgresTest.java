package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract against the real PostgreSQL at {@code SMARTFLOW_DATABASE_URL} when that names PostgreSQL (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), each run in a schema of its own that is dropped
 * afterwards. Skipped, with the reason printed, only when PostgreSQL is unreachable and {@code CI} is unset (or
 * {@code false}); under CI an absent PostgreSQL fails the run.
 */
class SqlDatabasePostgresTest extends DatabaseContract implements AuditRefusals {
    private static final String URL = Optional.ofNullable(System.getenv("SMARTFLOW_DATABASE_URL"))
            .filter(url -> url.startsWith("jdbc:postgresql:"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final String SCHEMA = "sf_test_" + UUID.randomUUID().toString().replace("-", "");

    private static String schemaUrl;

    private final List<Database> others = new ArrayList<>();

    @BeforeAll
    static void requirePostgres() {
        DriverManager.setLoginTimeout(5);
        try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement()) {
            statement.execute("CREATE SCHEMA " + SCHEMA);
        } catch (SQLException e) {
            String reason = "PostgreSQL at " + withoutParameters(URL) + " is unreachable (" + e.getMessage() + ")";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
                fail(reason + "; CI is set, so the PostgreSQL suite must run");
            }
            System.out.println("SqlDatabasePostgresTest skipped: " + reason);
            Assumptions.abort(reason);
        }
        schemaUrl = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        if (schemaUrl != null) {
            try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement()) {
                statement.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
            }
        }
    }

    @Override
    protected Database create() {
        SqlDatabase database = SqlDatabase.postgres(schemaUrl);
        database.deleteEverything();
        return database;
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
        try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement();
             var tables = statement.executeQuery("SELECT table_name FROM information_schema.tables "
                     + "WHERE table_schema = '" + SCHEMA + "' ORDER BY table_name")) {
            List<String> names = new ArrayList<>();
            while (tables.next()) {
                names.add(tables.getString(1));
            }
            assertEquals(List.of("a2a_agents", "audit_log", "key_spend", "mcp_access_requests", "mcp_calls", "mcp_grants",
                    "mcp_servers", "mcp_user_tokens", "policies", "policy_assignments", "policy_counters",
                    "policy_jobs", "policy_preset_members", "policy_presets", "policy_suggestions", "routing_chains",
                    "schema_version", "vector_store_chunks", "vector_store_files", "vector_stores", "virtual_keys"),
                    names);
        }
    }

    @Test
    void gatewaysStartingTogetherOnAnEmptySchemaMigrateItOnce() throws Exception {
        String fresh = SCHEMA + "_fresh";
        try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement()) {
            statement.execute("CREATE SCHEMA " + fresh);
        }
        String freshUrl = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + fresh;
        try {
            List<Database> started = new ArrayList<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Database>> starting = IntStream.range(0, 4)
                        .mapToObj(i -> threads.submit(() -> (Database) SqlDatabase.postgres(freshUrl)))
                        .toList();
                for (Future<Database> future : starting) {
                    started.add(future.get());
                }
            }
            started.forEach(Database::close);
            try (Connection admin = DriverManager.getConnection(freshUrl);
                 Statement statement = admin.createStatement();
                 var versions = statement.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                versions.next();
                assertEquals(Migrator.MIGRATIONS.size(), versions.getInt(1));
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement()) {
                statement.execute("DROP SCHEMA " + fresh + " CASCADE");
            }
        }
    }

    @Override
    public SqlDatabase sql() {
        return (SqlDatabase) database;
    }

    private Database gateway() {
        Database other = SqlDatabase.postgres(schemaUrl);
        others.add(other);
        return other;
    }

    private static String withoutParameters(String url) {
        int at = url.indexOf('?');
        return at < 0 ? url : url.substring(0, at);
    }
}
