package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * The text deltas of a streamed chat completion, read from its server-sent events as the caller pulls them: each
 * {@code data:} event's {@code choices[0].delta.content}, empty ones skipped, until {@code data: [DONE]} or the end of
 * the body. An error event ({@code data: {"error": ...}}, a failure after the stream began) is thrown from the read
 * that reaches it. Closing the stream closes the connection, which cancels the provider call at the gateway.
 */
final class DeltaStream implements Iterator<String> {
    private final Response response;
    private final BufferedSource source;
    private final String requestId;
    private String next;
    private boolean done;

    private DeltaStream(Response response) {
        this.response = response;
        this.source = response.body().source();
        this.requestId = response.header(Errors.REQUEST_ID);
    }

    static Stream<String> of(Response response) {
        DeltaStream deltas = new DeltaStream(response);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(deltas, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(response::close);
    }

    @Override
    public boolean hasNext() {
        while (next == null && !done) {
            String event = readEvent();
            if (event == null || event.equals("[DONE]")) {
                finish();
                break;
            }
            JsonNode chunk;
            try {
                chunk = Json.MAPPER.readTree(event);
            } catch (IOException e) {
                continue;
            }
            if (chunk.has("error")) {
                finish();
                throw Errors.fromStreamEvent(chunk, requestId);
            }
            JsonNode content = chunk.path("choices").path(0).path("delta").path("content");
            if (content.isTextual() && !content.asText().isEmpty()) {
                next = content.asText();
            }
        }
        return next != null;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String value = next;
        next = null;
        return value;
    }

    /** The data of the next event (its {@code data:} lines joined), or null at the end of the body. */
    private String readEvent() {
        StringBuilder data = null;
        try {
            String line;
            while ((line = source.readUtf8Line()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        return data.toString();
                    }
                    continue;
                }
                if (line.startsWith("data:")) {
                    String value = line.substring(5);
                    value = value.startsWith(" ") ? value.substring(1) : value;
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
            return data == null ? null : data.toString();
        } catch (IOException e) {
            finish();
            throw Errors.fromIo(e, "reading the stream");
        }
    }

    private void finish() {
        done = true;
        response.close();
    }
}
