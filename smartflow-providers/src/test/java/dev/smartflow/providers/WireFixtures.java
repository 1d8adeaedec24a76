package dev.smartflow.providers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;

/**
 * What every adapter test needs around its fake upstream: the wire fixtures under {@code fixtures/<protocol>/}, the
 * exchange it sends, the answers the {@code MockWebServer} replays, and a reader for the stream that comes back.
 */
public final class WireFixtures {
    private WireFixtures() {
    }

    /** The fixture {@code name} of {@code protocol}, e.g. {@code text("gemini", "chat.json")}. */
    public static String text(String protocol, String name) {
        try (InputStream in = WireFixtures.class.getResourceAsStream("/fixtures/" + protocol + "/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String text) {
        try {
            return Body.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a stream to its end, then closes it. */
    public static List<Chunk> readAll(ChunkStream stream) {
        List<Chunk> out = new ArrayList<>();
        try (stream) {
            while (stream.hasNext()) {
                out.add(stream.next());
            }
        }
        return out;
    }

    /** An exchange of {@code operation} with a JSON {@code body} and the given header name, value pairs. */
    public static Exchange exchange(Operation operation, String body, String... headers) {
        return Exchange.of(operation, Body.json(body), headers.length == 0 ? Headers.EMPTY : Headers.of(headers));
    }

    /** A JSON answer with {@code status}. */
    public static MockResponse answer(int status, String body) {
        return new MockResponse.Builder().code(status).addHeader("content-type", "application/json").body(body)
                .build();
    }

    /** An event stream answer holding {@code transcript} whole. */
    public static MockResponse sse(String transcript) {
        return new MockResponse.Builder().addHeader("content-type", "text/event-stream").body(transcript).build();
    }
}
