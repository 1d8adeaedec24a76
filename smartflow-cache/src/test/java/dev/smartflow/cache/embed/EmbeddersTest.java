package dev.smartflow.cache.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.Smartflow;
import dev.smartflow.core.spi.Embedder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class EmbeddersTest {
    private static final Supplier<Smartflow> NO_PIPELINE = () -> {
        throw new IllegalStateException("no pipeline in this test");
    };

    @Test
    void sharesOfOneDataDirAndSettingsUseOneEmbedderThatTheLastShareCloses() {
        EmbedderSettings settings = EmbedderSettings.defaults();
        Embedder first = Embedders.shared(settings, TestModel.DATA, NO_PIPELINE);
        Embedder second = Embedders.shared(settings, TestModel.DATA.resolve("."), NO_PIPELINE);
        assertEquals(1, Embedders.sharedNow().size());
        Embedder underlying = Embedders.sharedNow().getFirst();

        assertArrayEquals(first.embed("one model"), second.embed("one model"));
        first.close();
        first.close();
        assertEquals(1, Embedders.sharedNow().size());
        assertThrows(IllegalStateException.class, () -> first.embed("closed share"));
        second.embed("still open");

        second.close();
        assertEquals(0, Embedders.sharedNow().size());
        assertFalse(underlying.ready());
    }

    @Test
    void otherSettingsGetAnotherEmbedder() {
        Embedder onnx = Embedders.shared(EmbedderSettings.defaults(), TestModel.DATA, NO_PIPELINE);
        EmbedderSettings provider = new EmbedderSettings(EmbedderSettings.Type.PROVIDER, "text-embedding-3-small", 8,
                1, false, Optional.empty(), Duration.ofSeconds(1));
        try (Embedder remote = Embedders.shared(provider, TestModel.DATA, NO_PIPELINE)) {
            assertEquals(2, Embedders.sharedNow().size());
            assertEquals("text-embedding-3-small:1536", remote.model());
        } finally {
            onnx.close();
        }
        assertEquals(0, Embedders.sharedNow().size());
    }

    @Test
    void createBuildsTheConfiguredType() {
        try (Embedder onnx = Embedders.create(EmbedderSettings.defaults(), TestModel.DATA, NO_PIPELINE)) {
            assertInstanceOf(OnnxEmbedder.class, onnx);
        }
        EmbedderSettings provider = new EmbedderSettings(EmbedderSettings.Type.PROVIDER, "embed-v4.0", 8, 1, false,
                Optional.of(1024), Duration.ofSeconds(1));
        try (Embedder remote = Embedders.create(provider, Path.of("unused"), NO_PIPELINE)) {
            assertInstanceOf(PipelineEmbedder.class, remote);
            assertEquals(1024, remote.dimensions());
        }
    }
}
