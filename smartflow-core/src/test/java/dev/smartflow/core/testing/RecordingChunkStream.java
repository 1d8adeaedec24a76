package dev.smartflow.core.testing;

import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.List;

/** A {@link ChunkStream} over chunks in memory that remembers whether it was closed. */
public final class RecordingChunkStream implements ChunkStream {
    private final ChunkStream delegate;
    private volatile boolean closed;

    public RecordingChunkStream(List<Chunk> chunks) {
        this.delegate = ChunkStream.of(chunks);
    }

    @Override
    public boolean hasNext() {
        return delegate.hasNext();
    }

    @Override
    public Chunk next() {
        return delegate.next();
    }

    @Override
    public void close() {
        closed = true;
        delegate.close();
    }

    public boolean closed() {
        return closed;
    }
}
