package dev.smartflow.core.cost;

import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.function.Consumer;

/**
 * Passes a stream through chunk by chunk, reading usage from the chunks that carry it, and reports once, at the end
 * (the last {@code hasNext()} or {@code close()}, whichever comes first). Holds no chunk: nothing is buffered.
 */
final class MeteredChunkStream implements ChunkStream {
    private final ChunkStream delegate;
    private final Consumer<UsageReader> onEnd;
    private final UsageReader reader = new UsageReader();
    private boolean ended;

    MeteredChunkStream(ChunkStream delegate, Consumer<UsageReader> onEnd) {
        this.delegate = delegate;
        this.onEnd = onEnd;
    }

    @Override
    public boolean hasNext() {
        boolean more = delegate.hasNext();
        if (!more) {
            end();
        }
        return more;
    }

    @Override
    public Chunk next() {
        Chunk chunk = delegate.next();
        CostStage.read(reader, chunk.data(), true);
        return chunk;
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            end();
        }
    }

    private void end() {
        if (!ended) {
            ended = true;
            onEnd.accept(reader);
        }
    }
}
