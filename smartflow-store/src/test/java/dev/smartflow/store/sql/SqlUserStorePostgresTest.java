package dev.smartflow.store.sql;

import dev.smartflow.core.spi.Database;
import dev.smartflow.testkit.UserStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The user store's contract against the real PostgreSQL, as {@link SqlDatabasePostgresTest} finds it, in a schema of
 * its own that is dropped afterwards; skipped (with the reason printed) only when PostgreSQL is unreachable and
 * {@code CI} is unset.
 */
class SqlUserStorePostgresTest extends UserStoreContract {
    @RegisterExtension
    static final FreshPostgres POSTGRES = new FreshPostgres();

    @Override
    protected Database create() {
        return POSTGRES.emptyDatabase();
    }
}
