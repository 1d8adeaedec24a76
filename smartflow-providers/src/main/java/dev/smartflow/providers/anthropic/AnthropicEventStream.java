package dev.smartflow.providers.anthropic;

import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.providers.sse.SseDecoder;
import dev.smartflow.providers.sse.UpstreamChunkStream;
import java.util.Objects;

/**
 * A native Messages stream passed through untouched: each upstream event becomes one chunk with the same event name
 * and the same data bytes, {@code ping} and {@code message_stop} included, so an Anthropic client sees exactly what
 * Anthropic sent. Failures are thrown as {@link AnthropicEvents} describes.
 */
final class AnthropicEventStream extends UpstreamChunkStream {
    private final AnthropicEvents events;

    AnthropicEventStream(AnthropicEvents events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    protected void pull() {
        SseDecoder.Event event = events.next();
        if (event == null) {
            endStream();
        } else {
            enqueue(new Chunk(event.event(), Body.wrap(event.data())));
        }
    }

    @Override
    protected void closeUpstream() {
        events.close();
    }
}
