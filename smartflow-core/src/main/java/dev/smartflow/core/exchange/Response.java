package dev.smartflow.core.exchange;

import java.util.Objects;

/**
 * What the pipeline answers: either {@link Complete}, a whole body, or {@link Streamed}, chunks read as they arrive.
 *
 * <p>Stages that need the whole answer wrap a {@code Streamed} response rather than buffer it, so the caller sees the
 * first chunk as soon as the provider sends it. Whoever drops a {@code Streamed} response without handing it on closes
 * it.
 *
 * <p>A {@code Streamed} response is server-sent events unless its {@code content-type} header names another type: then
 * it is a byte stream ({@link Streamed#bytes}), each chunk's data a piece of the answer's bytes (audio, say), relayed
 * as it arrives.
 */
public sealed interface Response permits Response.Complete, Response.Streamed {
    int status();

    Headers headers();

    /** This response with one more header, replacing any earlier value of {@code name}. */
    Response withHeader(String name, String value);

    record Complete(int status, Headers headers, Body body) implements Response {
        public Complete {
            checkStatus(status);
            Objects.requireNonNull(headers, "headers");
            Objects.requireNonNull(body, "body");
        }

        /** A 200 JSON answer. */
        public static Complete json(Body body) {
            return new Complete(200, Headers.EMPTY, body);
        }

        @Override
        public Complete withHeader(String name, String value) {
            return new Complete(status, headers.with(name, value), body);
        }
    }

    record Streamed(int status, Headers headers, ChunkStream chunks) implements Response {
        private static final String EVENT_STREAM = "text/event-stream";

        public Streamed {
            checkStatus(status);
            Objects.requireNonNull(headers, "headers");
            Objects.requireNonNull(chunks, "chunks");
        }

        /**
         * A 200 byte stream of {@code contentType} (e.g. {@code audio/mpeg}): each chunk's data is the next piece of
         * the answer, its event name empty.
         */
        public static Streamed bytes(String contentType, ChunkStream chunks) {
            return new Streamed(200, Headers.of("content-type", contentType), chunks);
        }

        /** True when the chunks are server-sent events: unless the headers name a content type other than them. */
        public boolean events() {
            return headers.get("content-type")
                    .map(type -> type.regionMatches(true, 0, EVENT_STREAM, 0, EVENT_STREAM.length()))
                    .orElse(true);
        }

        @Override
        public Streamed withHeader(String name, String value) {
            return new Streamed(status, headers.with(name, value), chunks);
        }
    }

    private static void checkStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status out of range: " + status);
        }
    }
}
