package dev.smartflow.testkit;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.Database;

class InMemoryVectorStoreRecordsTest extends VectorStoreRecordsContract {
    @Override
    protected Database create() {
        return new InMemoryDatabase();
    }
}
