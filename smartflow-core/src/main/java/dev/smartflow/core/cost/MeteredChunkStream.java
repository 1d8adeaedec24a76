package dev.smartflow.core.cost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * Passes a stream through chunk by chunk, reading usage from the chunks that carry it, and reports once, at the end
 * (the last {@code hasNext()} or {@code close()}, whichever comes first). When told to hide usage, a usage-only chunk
 * is read and not passed on (see {@link CostStage}). Holds at most the one chunk that {@code hasNext()} took from the
 * upstream for the next {@code next()}: nothing is buffered.
 */
final class MeteredChunkStream implements ChunkStream {
    private final ChunkStream delegate;
    private final boolean hideUsage;
    private final Consumer<UsageReader> onEnd;
    private final UsageReader reader = new UsageReader();
    private Chunk pending;
    private boolean ended;

    MeteredChunkStream(ChunkStream delegate, boolean hideUsage, Consumer<UsageReader> onEnd) {
        this.delegate = delegate;
        this.hideUsage = hideUsage;
        this.onEnd = onEnd;
    }

    @Override
    public boolean hasNext() {
        while (pending == null) {
            if (!delegate.hasNext()) {
                end();
                return false;
            }
            Chunk chunk = delegate.next();
            JsonNode read = CostStage.read(reader, chunk.data(), true);
            if (!(hideUsage && read != null && CostStage.usageOnly(read))) {
                pending = chunk;
            }
        }
        return true;
    }

    @Override
    public Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Chunk chunk = pending;
        pending = null;
        return chunk;
    }

    @Override
    public void close() {
        pending = null;
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
