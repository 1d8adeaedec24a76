package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * A chat completion in OpenAI's shape, with typed access to the common fields and the whole JSON for the rest. The
 * headers carry what Smartflow adds ({@code x-smartflow-provider}, {@code x-smartflow-model}, ...).
 */
public record ChatResponse(JsonNode json, Headers headers) {
    public static ChatResponse from(Response.Complete response) {
        return new ChatResponse(response.body().json(), response.headers());
    }

    public String id() {
        return json.path("id").asText("");
    }

    public String model() {
        return json.path("model").asText("");
    }

    /** The text of the first choice, empty when it has none (e.g. only tool calls). */
    public String content() {
        return json.path("choices").path(0).path("message").path("content").asText("");
    }

    public String finishReason() {
        return json.path("choices").path(0).path("finish_reason").asText("");
    }

    public Usage usage() {
        return Usage.from(json.path("usage"));
    }

    /**
     * What the call cost, as the pipeline's pricing reported it in {@code x-smartflow-cost-usd} and
     * {@code x-smartflow-cost-status}; empty when the pipeline has no pricing.
     */
    public Optional<Cost> cost() {
        return headers.get("x-smartflow-cost-status").map(status -> switch (status) {
            case "priced" -> headers.get("x-smartflow-cost-usd").map(ChatResponse::micros).map(Cost::priced)
                    .orElse(Cost.noUsage());
            case "unpriced" -> Cost.unpriced();
            default -> Cost.noUsage();
        });
    }

    private static long micros(String usd) {
        return new BigDecimal(usd).movePointRight(6).longValueExact();
    }

    /** The provider that served the call. */
    public String provider() {
        return headers.get("x-smartflow-provider").orElse("");
    }
}
