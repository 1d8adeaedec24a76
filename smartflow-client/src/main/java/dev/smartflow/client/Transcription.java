package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** A transcript: its text and the whole answer ({@code usage}, {@code words}... in {@code verbose_json}). */
public record Transcription(String text, JsonNode json) {
    public Transcription {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(json, "json");
    }

    static Transcription from(JsonNode body) {
        return new Transcription(Json.text(body, "text"), body);
    }
}
