package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;

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

    /** The provider that served the call. */
    public String provider() {
        return headers.get("x-smartflow-provider").orElse("");
    }
}
