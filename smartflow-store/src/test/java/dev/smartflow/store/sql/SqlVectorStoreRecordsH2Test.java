package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.VectorChunk;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorStoreRecords.ChunkVector;
import dev.smartflow.testkit.VectorStoreRecordsContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vector-store contract on H2 in a file under a fresh data directory per test, plus a reopen. */
class SqlVectorStoreRecordsH2Test extends VectorStoreRecordsContract {
    @TempDir
    Path dataDir;

    @Override
    protected Database create() {
        return SqlDatabase.h2(dataDir);
    }

    @Test
    void storesFilesAndVectorsSurviveClosingAndReopeningTheDataDirectory() {
        records.createStore(store("vs_1", "org:acme", T0));
        records.addFile(VectorFile.started("vf_1", "vs_1", "a.md", Map.of("k", "v"), 10, 1, T0));
        VectorChunk chunk = new VectorChunk("vf_1", 0, "hello", new float[] {0.6f, 0.8f});
        records.appendChunks("vf_1", List.of(chunk), T0);
        records.completeFile("vf_1", T0);
        database.close();

        try (Database reopened = SqlDatabase.h2(dataDir)) {
            assertEquals(1, reopened.vectorStores().findStore("org:acme", "vs_1").orElseThrow().version());
            List<ChunkVector> vectors = new ArrayList<>();
            reopened.vectorStores().loadVectors("vs_1", vectors::add);
            assertEquals(1, vectors.size());
            assertEquals(0.8f, vectors.getFirst().vector()[1]);
        }
    }
}
