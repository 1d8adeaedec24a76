package dev.smartflow.testkit;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.Database;

class InMemoryMcpStoreTest extends McpStoreContract {
    @Override
    protected Database create() {
        return new InMemoryDatabase();
    }
}
