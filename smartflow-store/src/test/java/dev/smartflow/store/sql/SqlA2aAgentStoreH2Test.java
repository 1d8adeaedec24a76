package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.spi.A2aAgentStore;
import dev.smartflow.core.spi.Database;
import dev.smartflow.testkit.A2aAgentStoreContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The A2A agent store's contract on H2 in a file under a fresh data directory per test. */
class SqlA2aAgentStoreH2Test extends A2aAgentStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected Database create() {
        return SqlDatabase.h2(dataDir);
    }

    @Test
    void agentsSurviveReopeningTheDataDirectory() {
        A2aAgentStore.Agent agent = new A2aAgentStore.Agent("a1", "{\"name\":\"one\"}", "v1:sealed", T0);
        agents.create(agent);
        database.close();

        try (Database reopened = SqlDatabase.h2(dataDir)) {
            assertEquals(List.of(agent), reopened.a2aAgents().agents());
        }
    }
}
