package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.testkit.McpStoreContract;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MCP store's contract on H2 in a file under a fresh data directory per test. */
class SqlMcpStoreH2Test extends McpStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected Database create() {
        return SqlDatabase.h2(dataDir);
    }

    @Test
    void serversGrantsAndCallsSurviveReopeningTheDataDirectory() {
        McpStore.Server server = new McpStore.Server("s1", "{\"name\":\"one\"}", "sealed", T0);
        McpStore.Grant grant = new McpStore.Grant(KeyId.of("key_a"), "s1", "read", T0);
        mcp.putServer(server);
        mcp.grant(grant);
        database.close();

        try (Database reopened = SqlDatabase.h2(dataDir)) {
            assertEquals(List.of(server), reopened.mcp().servers());
            assertEquals(List.of(grant), reopened.mcp().grants());
            assertEquals(Optional.empty(), reopened.mcp().token("s1", "key_a"));
        }
    }
}
