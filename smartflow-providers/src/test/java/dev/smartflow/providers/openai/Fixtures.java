package dev.smartflow.providers.openai;

import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;

/** Recorded OpenAI answers under {@code fixtures/openai/}, and small readers for them. */
final class Fixtures {
    /** The key the registry-built adapters of these tests send. */
    static final String KEY = "sk-test-4fJ9aQ2mX7pL0sB3";

    private Fixtures() {
    }

    /**
     * A registry whose {@code openai} adapter has {@link #KEY} and sends to {@code server}, with any explicit
     * {@code settings}; the test closes it.
     */
    static ProviderRegistry registry(MockWebServer server, ProviderSettings... settings) {
        ProviderRegistry.Builder builder = ProviderRegistry.builder()
                .environment(Map.of("OPENAI_API_KEY", KEY, "OPENAI_API_BASE", server.url("/v1").toString()));
        for (ProviderSettings explicit : settings) {
            builder.provider(explicit);
        }
        return builder.build();
    }

    static String text(String name) {
        return WireFixtures.text("openai", name);
    }

    /**
     * The {@code data} payloads of a recorded stream, split by hand rather than by the decoder under test: the
     * fixtures hold one single-line event per blank-line-separated block.
     */
    static List<String> dataOf(String transcript) {
        List<String> out = new ArrayList<>();
        for (String block : transcript.split("\n\n")) {
            if (block.startsWith("data: ")) {
                out.add(block.substring("data: ".length()));
            }
        }
        return out;
    }

    /** Reads a stream to its end, leaving the closing to the test. */
    static List<Chunk> readAll(ChunkStream stream) {
        List<Chunk> out = new ArrayList<>();
        while (stream.hasNext()) {
            out.add(stream.next());
        }
        return out;
    }

    static List<String> dataOf(List<Chunk> chunks) {
        return chunks.stream().map(c -> c.data().utf8()).toList();
    }
}
