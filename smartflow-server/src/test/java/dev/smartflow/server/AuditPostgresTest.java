package dev.smartflow.server;

import static dev.smartflow.server.Audits.await;
import static dev.smartflow.server.Audits.segments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.server.testing.RealServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log's durability against the real PostgreSQL (see {@link RealServers}), in a schema of its own: records
 * arrive although the gateway's connections are killed under it, an outage of the table spills records to disk that
 * all arrive once it is back, and a record PostgreSQL would refuse (a NUL byte) or does refuse (a constraint) holds
 * up no other.
 */
class AuditPostgresTest {
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static String schema;

    @TempDir
    Path data;
    private final String application = "sf-audit-" + UUID.randomUUID().toString().substring(0, 8);
    private Upstream upstream;
    private Gateway gateway;

    @BeforeAll
    static void createSchema() {
        schema = RealServers.postgresSchema("AuditPostgresTest");
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        RealServers.dropSchema(schema);
    }

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new Upstream();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private Gateway start(Map<String, String> audit) {
        Map<String, String> env = new HashMap<>(audit);
        env.put("SMARTFLOW_DATABASE_URL", RealServers.postgresUrl(schema, application));
        return new Gateway(upstream, data, env);
    }

    @Test
    void everyRecordArrivesThoughTheGatewaysConnectionsAreKilledWhileCallsRun() throws Exception {
        // given
        gateway = start(Map.of("SMARTFLOW_AUDIT_BATCH_SIZE", "10", "SMARTFLOW_AUDIT_FLUSH_INTERVAL", "20ms"));
        AtomicBoolean calling = new AtomicBoolean(true);
        AtomicInteger killed = new AtomicInteger();
        Thread killer = Thread.ofVirtual().start(() -> {
            try (Connection admin = RealServers.postgres(schema)) {
                while (calling.get()) {
                    killed.addAndGet(terminateGatewayConnections(admin));
                    Thread.sleep(25);
                }
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        // when: 300 calls from six threads while the killer runs
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        call("kill-" + (thread * 50 + i));
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            calling.set(false);
            killer.join();
        }

        // then
        assertTrue(killed.get() > 0, "the gateway's connections were killed");
        await(() -> logged("kill-%") == 300, "all 300 records are in the database");
    }

    @Test
    void recordsOfATableOutageSpillToDiskAndAllArriveWhenItIsBack() throws Exception {
        // given: a gateway that keeps 20 records in memory at most, and a table it has written to
        gateway = start(Map.of("SMARTFLOW_AUDIT_BATCH_SIZE", "5", "SMARTFLOW_AUDIT_MAX_PENDING", "20",
                "SMARTFLOW_AUDIT_FLUSH_INTERVAL", "20ms"));
        call("warmup");
        await(() -> logged("warmup") == 1, "the table is written to");

        // when: the table goes away while 100 calls are served
        admin("ALTER TABLE audit_log RENAME TO audit_log_away");
        try {
            for (int i = 0; i < 100; i++) {
                call("outage-" + i);
            }

            // then: the overflow waits on disk, and nothing reached the database
            await(() -> !segments(data).isEmpty(), "records are spilled to the spool");
            assertEquals(0, count("SELECT COUNT(*) FROM audit_log_away WHERE request_id LIKE 'outage-%'"));
        } finally {
            // when: the table is back
            admin("ALTER TABLE audit_log_away RENAME TO audit_log");
        }

        // then
        await(() -> logged("outage-%") == 100, "every record arrives");
        await(() -> segments(data).isEmpty(), "the spool is empty again");
        assertFalse(Audits.logs(gateway, "limit=200").path("data").isEmpty());
    }

    @Test
    void aChatWhoseUserHoldsANulByteIsAuditedAndTheRecordsAfterItKeepFlowing() throws Exception {
        // given
        gateway = start(Map.of("SMARTFLOW_AUDIT_BATCH_SIZE", "5", "SMARTFLOW_AUDIT_FLUSH_INTERVAL", "20ms"));

        // when: a caller's user field holds U+0000 (and a lone surrogate), then more calls follow
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"),
                "{\"model\":\"gpt-4o-mini\",\"user\":\"a\\u0000b\\ud800\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "authorization", "Bearer " + Gateway.MASTER, "x-request-id", "nul-0")) {
            response.body().string();
        }
        for (int i = 0; i < 12; i++) {
            call("after-nul-" + i);
        }

        // then: every record arrives, the NUL and the surrogate stored as U+FFFD
        await(() -> logged("after-nul-%") == 12, "the records after it arrive");
        await(() -> logged("nul-0") == 1, "its own record arrives");
        assertEquals("a\uFFFDb\uFFFD", text("SELECT user_id FROM audit_log WHERE request_id = 'nul-0'"));
        assertFalse(Files.exists(data.resolve(SmartflowServer.AUDIT_SPOOL).resolve("quarantine.jsonl")));
    }

    @Test
    void aRecordTheDatabaseRefusesIsQuarantinedWhileEveryOtherArrives() throws Exception {
        // given: a constraint that one caller's records break (a data error, SQLState 23514, like any value the
        // database cannot take)
        gateway = start(Map.of("SMARTFLOW_AUDIT_BATCH_SIZE", "10", "SMARTFLOW_AUDIT_FLUSH_INTERVAL", "20ms"));
        admin("ALTER TABLE audit_log ADD CONSTRAINT refuse_poison CHECK (user_id IS NULL OR user_id <> 'poison')");
        try {
            // when: the refused call sits among thirty others
            for (int i = 0; i < 30; i++) {
                call("flowing-" + i);
                if (i == 14) {
                    try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"),
                            "{\"model\":\"gpt-4o-mini\",\"user\":\"poison\","
                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                            "authorization", "Bearer " + Gateway.MASTER, "x-request-id", "poisoned")) {
                        assertEquals(200, response.code());
                    }
                }
            }

            // then: the thirty arrive; the refused one waits in quarantine, not in the database
            await(() -> logged("flowing-%") == 30, "every other record arrives");
            Path quarantine = data.resolve(SmartflowServer.AUDIT_SPOOL).resolve("quarantine.jsonl");
            await(() -> Files.exists(quarantine) && Files.readString(quarantine).contains("\"poisoned\""),
                    "the refused record is quarantined");
            assertEquals(1, Files.readAllLines(quarantine).size());
            assertEquals(0, logged("poisoned"));
        } finally {
            admin("ALTER TABLE audit_log DROP CONSTRAINT refuse_poison");
        }
    }

    private void call(String requestId) throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "authorization",
                "Bearer " + Gateway.MASTER, "x-request-id", requestId)) {
            assertEquals(200, response.code(), requestId);
        }
    }

    /** Kills every backend the gateway holds (named by its application name); how many. */
    private int terminateGatewayConnections(Connection admin) throws SQLException {
        try (PreparedStatement kill = admin.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                + "WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            kill.setString(1, application);
            int count = 0;
            try (ResultSet killed = kill.executeQuery()) {
                while (killed.next()) {
                    count += killed.getBoolean(1) ? 1 : 0;
                }
            }
            return count;
        }
    }

    private long logged(String requestIdPattern) throws SQLException {
        return count("SELECT COUNT(*) FROM audit_log WHERE request_id LIKE '" + requestIdPattern + "'");
    }

    private String text(String sql) throws SQLException {
        try (Connection admin = RealServers.postgres(schema); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection admin = RealServers.postgres(schema); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void admin(String sql) throws SQLException {
        try (Connection admin = RealServers.postgres(schema); Statement statement = admin.createStatement()) {
            statement.execute(sql);
        }
    }
}
