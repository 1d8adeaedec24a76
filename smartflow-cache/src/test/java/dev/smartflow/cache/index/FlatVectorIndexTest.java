package dev.smartflow.cache.index;

import dev.smartflow.core.spi.VectorIndex;
import dev.smartflow.testkit.VectorIndexContract;

class FlatVectorIndexTest extends VectorIndexContract {
    @Override
    protected VectorIndex create() {
        return new FlatVectorIndex();
    }
}
