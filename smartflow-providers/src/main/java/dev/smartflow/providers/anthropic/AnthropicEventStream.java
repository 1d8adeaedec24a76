package dev.smartflow.providers.anthropic;

import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.providers.sse.SseDecoder;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A native Messages stream passed through untouched: each upstream event becomes one chunk with the same event name
 * and the same data bytes, {@code ping} and {@code message_stop} included, so an Anthropic client sees exactly what
 * Anthropic sent. Failures are thrown as {@link AnthropicEvents} describes.
 */
final class AnthropicEventStream implements ChunkStream {
    private final AnthropicEvents events;
    private Chunk next;

    AnthropicEventStream(AnthropicEvents events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            SseDecoder.Event event = events.next();
            if (event != null) {
                next = new Chunk(event.event(), Body.wrap(event.data()));
            }
        }
        return next != null;
    }

    @Override
    public Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Chunk chunk = next;
        next = null;
        return chunk;
    }

    @Override
    public void close() {
        events.close();
    }
}
