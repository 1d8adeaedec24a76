package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The operations chatbot's answer: a sentence ({@code response}), what it understood the question to be about
 * ({@code intent}: {@code cost}, {@code errors}, {@code cache}..., or {@code unsupported}), and the whole answer with
 * the figures behind the sentence ({@code json.path("data")}).
 */
public record ChatbotAnswer(String response, String intent, JsonNode json) {
    public ChatbotAnswer {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(intent, "intent");
        Objects.requireNonNull(json, "json");
    }

    /** The figures behind the answer. */
    public JsonNode data() {
        return json.path("data");
    }

    static ChatbotAnswer from(JsonNode body) {
        return new ChatbotAnswer(Json.text(body, "response"), Json.text(body, "intent"), body);
    }
}
