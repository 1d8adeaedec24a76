package dev.smartflow.store.sql;

import java.sql.SQLException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A suite's PostgreSQL, as a JUnit extension: a schema of the suite's own for its lifetime (created or skipped as
 * {@link PostgresSchema} says, dropped afterwards), and an emptied database in it for each test. A suite declares it
 * {@code @RegisterExtension static final FreshPostgres POSTGRES = new FreshPostgres();}.
 */
final class FreshPostgres implements BeforeAllCallback, AfterAllCallback {
    private PostgresSchema schema;

    @Override
    public void beforeAll(ExtensionContext context) {
        schema = PostgresSchema.createOrSkip(context.getRequiredTestClass());
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        PostgresSchema.drop(schema);
        schema = null;
    }

    /** The suite's schema, with nothing in it. */
    SqlDatabase emptyDatabase() {
        SqlDatabase database = open();
        database.deleteEverything();
        return database;
    }

    String schemaName() {
        return schema.name();
    }

    /** Another gateway's view of the same schema, as it is. */
    SqlDatabase open() {
        return SqlDatabase.postgres(schema.url());
    }
}
