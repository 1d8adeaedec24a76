package dev.smartflow.core.exchange;

import java.util.function.Consumer;

/** See {@link ChunkStream#onEnd}. Holds no chunk: nothing is buffered. */
final class WatchedChunkStream implements ChunkStream {
    private final ChunkStream delegate;
    private final Consumer<StreamEnd> onEnd;
    private boolean ended;

    WatchedChunkStream(ChunkStream delegate, Consumer<StreamEnd> onEnd) {
        this.delegate = delegate;
        this.onEnd = onEnd;
    }

    @Override
    public boolean hasNext() {
        boolean more;
        try {
            more = delegate.hasNext();
        } catch (RuntimeException e) {
            end(new StreamEnd.Failed(e));
            throw e;
        }
        if (!more) {
            end(StreamEnd.COMPLETED);
        }
        return more;
    }

    @Override
    public Chunk next() {
        try {
            return delegate.next();
        } catch (RuntimeException e) {
            end(new StreamEnd.Failed(e));
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            end(StreamEnd.CLOSED);
        }
    }

    private void end(StreamEnd how) {
        if (!ended) {
            ended = true;
            onEnd.accept(how);
        }
    }
}
