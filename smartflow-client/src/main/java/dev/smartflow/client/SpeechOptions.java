package dev.smartflow.client;

import java.util.Objects;

/** How to speak: model (default {@code tts-1}), voice ({@code alloy}), audio format ({@code mp3}) and speed. */
public record SpeechOptions(String model, String voice, String responseFormat, double speed) {
    public SpeechOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(voice, "voice");
        Objects.requireNonNull(responseFormat, "responseFormat");
    }

    public static SpeechOptions defaults() {
        return new SpeechOptions("tts-1", "alloy", "mp3", 1.0);
    }

    public SpeechOptions withModel(String value) {
        return new SpeechOptions(value, voice, responseFormat, speed);
    }

    public SpeechOptions withVoice(String value) {
        return new SpeechOptions(model, value, responseFormat, speed);
    }

    public SpeechOptions withResponseFormat(String value) {
        return new SpeechOptions(model, voice, value, speed);
    }

    public SpeechOptions withSpeed(double value) {
        return new SpeechOptions(model, voice, responseFormat, value);
    }
}
