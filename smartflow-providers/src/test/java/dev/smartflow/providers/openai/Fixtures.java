package dev.smartflow.providers.openai;

import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Recorded OpenAI answers under {@code fixtures/openai/}, and small readers for them. */
final class Fixtures {
    private Fixtures() {
    }

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/openai/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** Reads a stream to its end. */
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
