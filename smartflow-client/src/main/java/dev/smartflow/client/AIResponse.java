package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import okhttp3.Headers;

/**
 * A chat completion (the SDK guide's {@code AIResponse}): the first choice's text, every choice, usage, model and id
 * from the body; whether the cache answered, how, which provider served and what it cost from the gateway's
 * {@code x-smartflow-*} headers.
 *
 * @param content      the first choice's text; empty when it has none (only tool calls)
 * @param choices      the {@code choices} array as sent
 * @param usage        token usage
 * @param model        the model that answered
 * @param id           the completion's id
 * @param cached       whether the cache answered ({@code x-smartflow-cache-hit})
 * @param cacheHitType {@code exact} or {@code semantic} on a cache hit (the gateway's hit-type or tier header; a hit
 *                     that reports a similarity is semantic, else exact)
 * @param provider     the provider that served ({@code x-smartflow-provider}); empty in-process without one
 * @param costUsd      what the call cost ({@code x-smartflow-cost-usd}), when the gateway priced it
 * @param requestId    the gateway's request id
 * @param toolCalls    the first choice's tool calls
 * @param finishReason the first choice's finish reason
 * @param json         the whole body
 */
public record AIResponse(String content, List<JsonNode> choices, Usage usage, String model, String id, boolean cached,
                         Optional<String> cacheHitType, String provider, Optional<BigDecimal> costUsd,
                         Optional<String> requestId, List<ToolCall> toolCalls, String finishReason, JsonNode json) {
    public AIResponse {
        Objects.requireNonNull(content, "content");
        choices = List.copyOf(choices);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(cacheHitType, "cacheHitType");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(costUsd, "costUsd");
        Objects.requireNonNull(requestId, "requestId");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(json, "json");
    }

    /**
     * Reads a completion body with the gateway's headers; {@code header} looks one up by name (any case), so the HTTP
     * client and an in-process gateway share this reader.
     */
    public static AIResponse from(JsonNode body, Function<String, Optional<String>> header) {
        JsonNode first = body.path("choices").path(0);
        JsonNode message = first.path("message");
        List<ToolCall> calls = new ArrayList<>();
        message.path("tool_calls").forEach(call -> calls.add(ToolCall.from(call)));
        boolean cached = header.apply("x-smartflow-cache-hit").map(v -> !v.equalsIgnoreCase("false")
                && !v.equalsIgnoreCase("miss") && !v.isBlank()).orElse(false);
        Optional<String> hitType = cached ? header.apply("x-smartflow-cache-hit-type")
                .or(() -> header.apply("x-smartflow-cache-tier"))
                .or(() -> header.apply("x-smartflow-cache-similarity").map(s -> "semantic"))
                .or(() -> Optional.of("exact")) : Optional.empty();
        Optional<BigDecimal> cost = header.apply("x-smartflow-cost-usd").flatMap(AIResponse::decimal);
        return new AIResponse(message.path("content").isTextual() ? message.path("content").asText() : "",
                Json.nodes(body, "choices"), Usage.from(body.path("usage")), Json.text(body, "model"),
                Json.text(body, "id"), cached, hitType, header.apply("x-smartflow-provider").orElse(""), cost,
                header.apply(Errors.REQUEST_ID), calls, Json.text(first, "finish_reason"), body);
    }

    static AIResponse from(JsonNode body, Headers headers) {
        return from(body, name -> Optional.ofNullable(headers.get(name)));
    }

    private static Optional<BigDecimal> decimal(String text) {
        try {
            return Optional.of(new BigDecimal(text.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
