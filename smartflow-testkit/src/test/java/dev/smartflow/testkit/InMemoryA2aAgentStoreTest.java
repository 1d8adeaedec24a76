package dev.smartflow.testkit;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.Database;

class InMemoryA2aAgentStoreTest extends A2aAgentStoreContract {
    @Override
    protected Database create() {
        return new InMemoryDatabase();
    }
}
