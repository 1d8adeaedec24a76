package dev.smartflow.testkit;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.Database;

class InMemoryUserStoreTest extends UserStoreContract {
    @Override
    protected Database create() {
        return new InMemoryDatabase();
    }
}
