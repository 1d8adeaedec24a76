package dev.smartflow.client;

import java.util.Objects;
import java.util.Optional;

/**
 * How to transcribe: model (default {@code whisper-1}; {@code groq/whisper-large-v3}, {@code deepgram/nova-2}...),
 * language, prompt, response format ({@code json} by default; {@code text} answers the text alone), temperature, and
 * the file name sent with the audio (its extension tells the provider the format).
 */
public record TranscriptionOptions(String model, Optional<String> language, Optional<String> prompt,
                                   String responseFormat, double temperature, String filename) {
    public TranscriptionOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(responseFormat, "responseFormat");
        Objects.requireNonNull(filename, "filename");
    }

    public static TranscriptionOptions defaults() {
        return new TranscriptionOptions("whisper-1", Optional.empty(), Optional.empty(), "json", 0.0, "audio.mp3");
    }

    public TranscriptionOptions withModel(String value) {
        return new TranscriptionOptions(value, language, prompt, responseFormat, temperature, filename);
    }

    public TranscriptionOptions withLanguage(String value) {
        return new TranscriptionOptions(model, Optional.of(value), prompt, responseFormat, temperature, filename);
    }

    public TranscriptionOptions withPrompt(String value) {
        return new TranscriptionOptions(model, language, Optional.of(value), responseFormat, temperature, filename);
    }

    public TranscriptionOptions withResponseFormat(String value) {
        return new TranscriptionOptions(model, language, prompt, value, temperature, filename);
    }

    public TranscriptionOptions withTemperature(double value) {
        return new TranscriptionOptions(model, language, prompt, responseFormat, value, filename);
    }

    public TranscriptionOptions withFilename(String value) {
        return new TranscriptionOptions(model, language, prompt, responseFormat, temperature, value);
    }
}
