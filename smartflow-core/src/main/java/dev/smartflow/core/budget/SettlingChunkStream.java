package dev.smartflow.core.budget;

import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.function.Consumer;

/**
 * Passes a stream through chunk by chunk and reports once how it ended: {@code true} at its end or when it is closed,
 * {@code false} when reading it failed. Holds no chunk: nothing is buffered.
 */
final class SettlingChunkStream implements ChunkStream {
    private final ChunkStream delegate;
    private final Consumer<Boolean> onEnd;
    private boolean ended;

    SettlingChunkStream(ChunkStream delegate, Consumer<Boolean> onEnd) {
        this.delegate = delegate;
        this.onEnd = onEnd;
    }

    @Override
    public boolean hasNext() {
        boolean more;
        try {
            more = delegate.hasNext();
        } catch (RuntimeException e) {
            end(false);
            throw e;
        }
        if (!more) {
            end(true);
        }
        return more;
    }

    @Override
    public Chunk next() {
        try {
            return delegate.next();
        } catch (RuntimeException e) {
            end(false);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            end(true);
        }
    }

    private void end(boolean completed) {
        if (!ended) {
            ended = true;
            onEnd.accept(completed);
        }
    }
}
