package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Upload;
import java.util.Objects;

/**
 * A speech-to-text request ({@code POST /v1/audio/transcriptions}): the form's fields as JSON ({@code model},
 * {@code language}, {@code prompt}, {@code response_format}, ...) and the audio as an {@link Upload}, read only as it
 * is sent.
 *
 * <pre>{@code
 * TranscriptionResponse text = smartflow.transcribe(TranscriptionRequest.of("whisper-1",
 *         Upload.of(Path.of("meeting.mp3"), "audio/mpeg")).withField("language", "en"));
 * }</pre>
 */
public final class TranscriptionRequest {
    private final Body body;
    private final Upload audio;

    private TranscriptionRequest(Body body, Upload audio) {
        this.body = body;
        this.audio = audio;
    }

    public static TranscriptionRequest of(String model, Upload audio) {
        Objects.requireNonNull(model, "model");
        return new TranscriptionRequest(Body.of(Body.MAPPER.createObjectNode().put("model", model)),
                Objects.requireNonNull(audio, "audio"));
    }

    /** The form's fields exactly as a caller wrote them, as JSON, and the audio. */
    public static TranscriptionRequest fromJson(String json, Upload audio) {
        return new TranscriptionRequest(Body.json(json), Objects.requireNonNull(audio, "audio"));
    }

    /** This request with one more text field, e.g. {@code language}, {@code response_format}. */
    public TranscriptionRequest withField(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        return new TranscriptionRequest(body.edit((ObjectNode o) -> o.put(name, value)), audio);
    }

    public Body body() {
        return body;
    }

    public Upload audio() {
        return audio;
    }

    @Override
    public String toString() {
        return "TranscriptionRequest[" + Requests.model(body) + ", " + audio + "]";
    }
}
