package dev.smartflow.core.model;

import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Synthesised speech as it arrives: read {@link #stream()} and close this when done (or read to the end). The audio
 * is never held whole; each read takes what the provider has sent so far. A failure of the provider mid-way is thrown
 * from the stream's {@code read} as a {@link dev.smartflow.core.error.SmartflowException}. Not thread-safe.
 */
public final class SpeechAudio implements AutoCloseable {
    private final Response.Streamed response;
    private final InputStream stream;

    private SpeechAudio(Response.Streamed response) {
        this.response = response;
        this.stream = new ChunkInputStream(response.chunks());
    }

    public static SpeechAudio from(Response.Streamed response) {
        return new SpeechAudio(response);
    }

    /** The audio's media type, e.g. {@code audio/mpeg}. */
    public String contentType() {
        return response.headers().get("content-type").orElse("application/octet-stream");
    }

    /** The call's {@code x-smartflow-*} headers, the cost included: speech is priced by its input, before the audio. */
    public Headers headers() {
        return response.headers();
    }

    /** The cost in USD as the {@code x-smartflow-cost-usd} header has it, when the call was priced. */
    public Optional<String> costUsd() {
        return response.headers().get("x-smartflow-cost-usd");
    }

    /** The audio bytes; one stream per answer. */
    public InputStream stream() {
        return stream;
    }

    @Override
    public void close() {
        response.chunks().close();
    }

    /** Reads a byte stream's chunks in order. */
    private static final class ChunkInputStream extends InputStream {
        private final ChunkStream chunks;
        private byte[] current = new byte[0];
        private int position;

        ChunkInputStream(ChunkStream chunks) {
            this.chunks = chunks;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (position == current.length) {
                if (!chunks.hasNext()) {
                    return -1;
                }
                Chunk chunk = chunks.next();
                current = chunk.data().bytes();
                position = 0;
            }
            int n = Math.min(length, current.length - position);
            System.arraycopy(current, position, target, offset, n);
            position += n;
            return n;
        }

        @Override
        public void close() {
            chunks.close();
        }
    }
}
