package dev.smartflow.store.sql;

import dev.smartflow.core.spi.Database;
import dev.smartflow.testkit.A2aAgentStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The A2A agent store's contract against the real PostgreSQL, as {@link SqlDatabasePostgresTest} finds it, in a schema of
 * its own that is dropped afterwards; skipped (with the reason printed) only when PostgreSQL is unreachable and
 * {@code CI} is unset.
 */
class SqlA2aAgentStorePostgresTest extends A2aAgentStoreContract {
    @RegisterExtension
    static final FreshPostgres POSTGRES = new FreshPostgres();

    @Override
    protected Database create() {
        return POSTGRES.emptyDatabase();
    }
}
