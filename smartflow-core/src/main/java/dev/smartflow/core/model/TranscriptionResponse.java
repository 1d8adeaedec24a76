package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;

/**
 * A transcription answer: JSON ({@code json}, {@code verbose_json}) or text ({@code text}, {@code srt}, {@code vtt})
 * as the request's {@code response_format} asked, with the {@code x-smartflow-*} headers of the call.
 */
public record TranscriptionResponse(Body body, Headers headers) {
    public static TranscriptionResponse from(Response.Complete response) {
        return new TranscriptionResponse(response.body(), response.headers());
    }

    /** The transcript: the {@code text} field of a JSON answer, the whole answer otherwise. */
    public String text() {
        // a pipeline answer without a content type is JSON, as everywhere else
        boolean json = headers.get("content-type").map(t -> t.startsWith("application/json")).orElse(true);
        if (json) {
            try {
                JsonNode text = body.json().path("text");
                if (text.isTextual()) {
                    return text.textValue();
                }
            } catch (InvalidRequest e) {
                return body.utf8();
            }
        }
        return body.utf8();
    }
}
