package dev.smartflow.store.sql;


import dev.smartflow.core.spi.Database;
import dev.smartflow.testkit.UserStoreContract;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The user store's contract against the real PostgreSQL, as {@link SqlDatabasePostgresTest} finds it, in a schema of
 * its own that is dropped afterwards; skipped (with the reason printed) only when PostgreSQL is unreachable and
 * {@code CI} is unset.
 */
class SqlUserStorePostgresTest extends UserStoreContract {
    private static PostgresSchema schema;

    @BeforeAll
    static void requirePostgres() {
        schema = PostgresSchema.createOrSkip(SqlUserStorePostgresTest.class);
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        PostgresSchema.drop(schema);
    }

    @Override
    protected Database create() {
        SqlDatabase database = SqlDatabase.postgres(schema.url());
        database.deleteEverything();
        return database;
    }
}
