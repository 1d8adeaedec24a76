package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.testkit.DatabaseContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on H2 in a file under a fresh data directory per test, plus what only an embedded file shows. */
class SqlDatabaseH2Test extends DatabaseContract implements AuditRefusals {
    @TempDir
    Path dataDir;

    @Override
    protected Database create() {
        return SqlDatabase.h2(dataDir);
    }

    @Test
    void everythingSurvivesClosingAndReopeningTheDataDirectory() {
        VirtualKey key = fullKey("k1", "owner-a", T0);
        keys.create(key);
        keys.revoke(key.id());
        keys.addSpend(key.id(), "2026-11", 1_234);
        List<AuditRecord> records = List.of(fullRecord("r2", T0.plusSeconds(1)), record("r1", T0));
        audit.append(records);
        database.close();

        try (Database reopened = SqlDatabase.h2(dataDir)) {
            assertEquals(List.of(key.revoked()), reopened.keys().list());
            assertEquals(1_234, reopened.keys().spend(key.id(), "2026-11"));
            assertEquals(1_300, reopened.keys().addSpend(key.id(), "2026-11", 66));
            assertEquals(records, reopened.audit().query(AuditQuery.latest(10)));
            assertEquals(0, reopened.audit().append(records));
        }
    }

    @Test
    void reopeningAppliesEachMigrationOnce() {
        database.close();

        try (SqlDatabase reopened = SqlDatabase.h2(dataDir)) {
            List<Integer> versions = reopened.jdbi().withHandle(handle -> handle
                    .createQuery("SELECT version FROM schema_version ORDER BY version")
                    .mapTo(Integer.class)
                    .list());
            assertEquals(Migrator.MIGRATIONS.stream().map(Migrator.Migration::version).toList(), versions);
        }
    }

    @Test
    void aDatabaseMigratedByANewerVersionIsRefused() {
        ((SqlDatabase) database).jdbi().useHandle(handle -> handle
                .execute("INSERT INTO schema_version (version, description) VALUES (999, 'from_the_future')"));
        database.close();

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> SqlDatabase.h2(dataDir));

        assertTrue(refused.getMessage().contains("999"), refused.getMessage());
    }

    @Test
    void connectChoosesH2ByTheUrl() {
        database.close();

        try (Database byUrl = SqlDatabase.connect("jdbc:h2:file:" + dataDir.resolve("smartflow"))) {
            byUrl.keys().addSpend(KeyId.of("k1"), "p", 5);
        }
        try (Database reopened = SqlDatabase.h2(dataDir)) {
            assertEquals(5, reopened.keys().spend(KeyId.of("k1"), "p"));
        }
    }

    @Test
    void settingsTheUrlAlreadyNamesAreNotAddedTwice() {
        assertEquals("jdbc:h2:file:/d/smartflow;mode=PostgreSQL;LOCK_TIMEOUT=500;DATABASE_TO_LOWER=TRUE;"
                        + "DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1;CACHE_SIZE=4096",
                SqlDatabase.withH2Settings("jdbc:h2:file:/d/smartflow;mode=PostgreSQL;LOCK_TIMEOUT=500"));
    }

    @Test
    void connectRejectsOtherDatabasesWithoutEchoingTheUrl() {
        IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class,
                () -> SqlDatabase.connect("jdbc:mysql://db/x?password=secret"));

        assertTrue(!rejected.getMessage().contains("secret"), rejected.getMessage());
    }

    @Test
    void migrationStatementsAreSplitAtLineEndingSemicolonsWithoutComments() {
        String sql = """
                -- a comment; with a semicolon
                CREATE TABLE a (x VARCHAR NOT NULL);

                CREATE INDEX a_x
                    ON a (x);
                """;

        assertEquals(List.of("CREATE TABLE a (x VARCHAR NOT NULL)", "CREATE INDEX a_x\n    ON a (x)"),
                Migrator.statements(sql));
    }

    @Override
    public SqlDatabase sql() {
        return (SqlDatabase) database;
    }
}
