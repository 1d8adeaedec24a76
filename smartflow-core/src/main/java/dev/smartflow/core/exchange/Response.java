package dev.smartflow.core.exchange;

import java.util.Objects;

/**
 * What the pipeline answers: either {@link Complete}, a whole body, or {@link Streamed}, chunks read as they arrive.
 *
 * <p>Stages that need the whole answer wrap a {@code Streamed} response rather than buffer it, so the caller sees the
 * first chunk as soon as the provider sends it. Whoever drops a {@code Streamed} response without handing it on closes
 * it.
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
        public Streamed {
            checkStatus(status);
            Objects.requireNonNull(headers, "headers");
            Objects.requireNonNull(chunks, "chunks");
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
