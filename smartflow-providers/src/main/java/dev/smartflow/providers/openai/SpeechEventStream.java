package dev.smartflow.providers.openai;

import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.sse.SseCall;
import dev.smartflow.providers.sse.SseDecoder;
import dev.smartflow.providers.sse.UpstreamChunkStream;
import java.time.Duration;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.Response;

/**
 * Speech asked for as server-sent events ({@code "stream_format": "sse"}): {@code speech.audio.delta} events with
 * base64 audio, then {@code speech.audio.done} with the usage, each relayed as an event. Unlike a chat stream it has no
 * {@code finish_reason} to judge its end by: the upstream closing the body after its events is the normal end.
 */
final class SpeechEventStream extends UpstreamChunkStream {
    private final SseCall upstream;
    private final OpenAiErrors errors;

    SpeechEventStream(String provider, Call call, Response response, Deadline deadline, Duration idleTimeout,
                      OpenAiErrors errors) {
        this.upstream = new SseCall(provider, call, response, deadline, idleTimeout);
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    @Override
    protected void pull() {
        SseDecoder.Event event = upstream.closed() ? null : upstream.next();
        if (event == null) {
            upstream.close();
            endStream();
            return;
        }
        byte[] data = event.data();
        if (event.event().equals("error") || OpenAiErrors.isErrorObject(data)) {
            UpstreamFailure failure = errors.fromStreamEvent(data);
            upstream.close();
            throw failure;
        }
        enqueue(new Chunk(event.event(), Body.wrap(data)));
    }

    @Override
    protected void closeUpstream() {
        upstream.close();
    }
}
