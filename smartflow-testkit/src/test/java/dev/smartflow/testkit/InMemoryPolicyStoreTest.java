package dev.smartflow.testkit;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.Database;

class InMemoryPolicyStoreTest extends PolicyStoreContract {
    @Override
    protected Database create() {
        return new InMemoryDatabase();
    }
}
