package dev.smartflow.store.sql;


import dev.smartflow.core.spi.Database;
import dev.smartflow.testkit.PolicyStoreContract;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The policy store contract against the real PostgreSQL (see {@link SqlDatabasePostgresTest} for where it is found
 * and when the suite may skip), in a schema of its own that is dropped afterwards.
 */
class SqlPolicyStorePostgresTest extends PolicyStoreContract {
    private static PostgresSchema schema;

    @BeforeAll
    static void requirePostgres() {
        schema = PostgresSchema.createOrSkip(SqlPolicyStorePostgresTest.class);
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
