package dev.smartflow.cache.embed;

import java.nio.file.Path;

/**
 * One {@link OnnxEmbedder} for the whole test run, its files under {@code target/test-data} (the build directory, so
 * DJL's cache lands there too, never in {@code ~/.djl.ai}). Loading the model takes about a second; suites that do
 * not test loading itself share this one. Suites that start embedders of their own touch this class first.
 */
final class TestModel {
    static final Path DATA = Path.of("target", "test-data").toAbsolutePath();
    private static OnnxEmbedder embedder;

    static {
        // before any test starts an embedder of its own: the first one decides DJL's cache directory
        OnnxEmbedder.configureDjl(DATA);
    }

    private TestModel() {
    }

    static synchronized OnnxEmbedder embedder() {
        if (embedder == null) {
            embedder = OnnxEmbedder.builder(DATA).start();
        }
        return embedder;
    }
}
