package dev.smartflow.cache.embed;

import dev.smartflow.core.spi.Embedder;
import java.util.List;

/** What {@link Embedders} shares at present, for tests outside its package. */
public final class EmbeddersProbe {
    static {
        // DJL's cache goes to the build directory, whichever suite starts an embedder first
        TestModel.DATA.getFileName();
    }

    private EmbeddersProbe() {
    }

    public static List<Embedder> shared() {
        return Embedders.sharedNow();
    }
}
