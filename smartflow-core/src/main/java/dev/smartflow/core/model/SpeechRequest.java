package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.util.Objects;

/**
 * A text-to-speech request in OpenAI's shape ({@code POST /v1/audio/speech}).
 *
 * <pre>{@code
 * try (SpeechAudio audio = smartflow.speech(SpeechRequest.of("tts-1", "Hello there", "alloy"))) {
 *     audio.stream().transferTo(Files.newOutputStream(Path.of("hello.mp3")));
 * }
 * }</pre>
 */
public final class SpeechRequest {
    private final Body body;

    private SpeechRequest(Body body) {
        this.body = body;
    }

    public static SpeechRequest of(String model, String input, String voice) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(voice, "voice");
        ObjectNode json = Body.MAPPER.createObjectNode().put("model", model).put("input", input).put("voice", voice);
        return new SpeechRequest(Body.of(json));
    }

    /** Takes a request body exactly as a caller wrote it. */
    public static SpeechRequest fromJson(String json) {
        return new SpeechRequest(Body.json(json));
    }

    /** This request answered in {@code format}: {@code mp3}, {@code opus}, {@code aac}, {@code flac}, {@code wav}. */
    public SpeechRequest withFormat(String format) {
        Objects.requireNonNull(format, "format");
        return new SpeechRequest(body.edit(o -> o.put("response_format", format)));
    }

    public Body body() {
        return body;
    }

    @Override
    public String toString() {
        return "SpeechRequest[" + Requests.model(body) + "]";
    }
}
