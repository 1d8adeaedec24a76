package dev.smartflow.store.sql;

import dev.smartflow.core.spi.Database;
import dev.smartflow.testkit.PolicyStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The policy store contract against the real PostgreSQL (see {@link SqlDatabasePostgresTest} for where it is found
 * and when the suite may skip), in a schema of its own that is dropped afterwards.
 */
class SqlPolicyStorePostgresTest extends PolicyStoreContract {
    @RegisterExtension
    static final FreshPostgres POSTGRES = new FreshPostgres();

    @Override
    protected Database create() {
        return POSTGRES.emptyDatabase();
    }
}
