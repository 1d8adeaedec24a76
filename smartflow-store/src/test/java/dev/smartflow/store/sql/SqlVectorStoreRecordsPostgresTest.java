package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.testkit.Concurrently;
import dev.smartflow.testkit.VectorStoreRecordsContract;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The vector-store contract against the real PostgreSQL at {@code SMARTFLOW_DATABASE_URL} when that names PostgreSQL
 * (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), in a schema of its own dropped afterwards;
 * skipped as {@link SqlDatabasePostgresTest} is.
 */
class SqlVectorStoreRecordsPostgresTest extends VectorStoreRecordsContract {
    @RegisterExtension
    static final FreshPostgres POSTGRES = new FreshPostgres();

    @Override
    protected Database create() {
        return POSTGRES.emptyDatabase();
    }

    @Test
    void twoGatewaysAddingFilesToOneStoreCountEveryOne() throws Exception {
        records.createStore(store("vs_1", "t", T0));
        try (Database other = POSTGRES.open()) {
            List<Boolean> added = Concurrently.run(100, i -> (i % 2 == 0 ? records : other.vectorStores())
                    .addFile(VectorFile.started("vf_" + i, "vs_1", "", Map.of(), 1, 1, T0)));

            assertEquals(100, added.stream().filter(Boolean::booleanValue).count());
            assertEquals(100, other.vectorStores().findStore("t", "vs_1").orElseThrow().fileCount());
        }
    }
}
