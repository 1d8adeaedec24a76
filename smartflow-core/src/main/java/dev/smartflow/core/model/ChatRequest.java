package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.util.Objects;

/**
 * A chat completion request in OpenAI's shape. Built with {@link #builder()} for the common fields, or taken whole
 * from JSON with {@link #fromJson(String)}; either way every field reaches the provider as written.
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *         .model("gpt-4o-mini")
 *         .message(Message.system("Answer in one word."))
 *         .message(Message.user("Capital of France?"))
 *         .param("temperature", 0.2)
 *         .build();
 * }</pre>
 */
public final class ChatRequest {
    private final Body body;

    private ChatRequest(Body body) {
        this.body = body;
    }

    /** Shorthand for one user message. */
    public static ChatRequest of(String model, String userMessage) {
        return builder().model(model).message(Message.user(userMessage)).build();
    }

    /** Takes a request body exactly as a caller wrote it. */
    public static ChatRequest fromJson(String json) {
        return new ChatRequest(Body.json(json));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Body body() {
        return body;
    }

    /** This request with {@code "stream": true}; the stream also reports usage at its end. */
    public ChatRequest streaming() {
        return new ChatRequest(body.edit(o -> {
            o.put("stream", true);
            if (!o.has("stream_options")) {
                o.putObject("stream_options").put("include_usage", true);
            }
        }));
    }

    @Override
    public String toString() {
        return "ChatRequest[" + Requests.model(body) + "]";
    }

    public static final class Builder {
        private final ObjectNode json = Body.MAPPER.createObjectNode();
        private final ArrayNode messages = Body.MAPPER.createArrayNode();

        private Builder() {
        }

        public Builder model(String model) {
            json.put("model", Objects.requireNonNull(model, "model"));
            return this;
        }

        public Builder message(Message message) {
            messages.addObject().put("role", message.role()).put("content", message.content());
            return this;
        }

        /** Any other field, e.g. {@code temperature}, {@code max_tokens}, {@code tools} (as a tree). */
        public Builder param(String name, Object value) {
            Objects.requireNonNull(name, "name");
            if (name.equals("messages") || name.equals("model")) {
                throw new IllegalArgumentException("set '" + name + "' with its own builder method");
            }
            json.set(name, value instanceof JsonNode node ? node : Body.MAPPER.valueToTree(value));
            return this;
        }

        /** @throws IllegalStateException if the model or all messages are missing */
        public ChatRequest build() {
            if (!json.has("model")) {
                throw new IllegalStateException("model is required");
            }
            if (messages.isEmpty()) {
                throw new IllegalStateException("at least one message is required");
            }
            ObjectNode copy = json.deepCopy();
            copy.set("messages", messages.deepCopy());
            return new ChatRequest(Body.of(copy));
        }
    }
}
