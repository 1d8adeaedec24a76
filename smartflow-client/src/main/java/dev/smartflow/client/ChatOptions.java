package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * How to make a chat call: the model (default {@value #DEFAULT_MODEL}), an optional system prompt, temperature
 * (default 0.7, as the SDK guide's), maximum tokens, the end user ({@code user}, which the gateway's audit log
 * records), tools, any other request field ({@link Builder#param}) and extra headers.
 *
 * <pre>{@code
 * ChatOptions options = ChatOptions.builder().model("gpt-4o-mini").systemPrompt("Be brief.")
 *         .temperature(0.3).maxTokens(200).build();
 * }</pre>
 */
public record ChatOptions(String model, Optional<String> systemPrompt, OptionalDouble temperature,
                          OptionalInt maxTokens, Optional<String> user, List<JsonNode> tools,
                          Map<String, Object> params, Map<String, String> headers) {
    public static final String DEFAULT_MODEL = "gpt-4o";
    public static final double DEFAULT_TEMPERATURE = 0.7;
    /** Fields set by the options themselves, which {@link Builder#param} refuses. */
    private static final Set<String> OWN_FIELDS = Set.of("model", "messages", "temperature", "max_tokens", "user",
            "tools", "stream");

    public ChatOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(systemPrompt, "systemPrompt");
        Objects.requireNonNull(temperature, "temperature");
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(user, "user");
        tools = List.copyOf(tools);
        params = Map.copyOf(params);
        headers = Map.copyOf(headers);
    }

    /** The defaults: {@value #DEFAULT_MODEL}, temperature 0.7. */
    public static ChatOptions defaults() {
        return builder().build();
    }

    /** The defaults with another model. */
    public static ChatOptions model(String model) {
        return builder().model(model).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.model = model;
        builder.systemPrompt = systemPrompt.orElse(null);
        builder.temperature = temperature;
        builder.maxTokens = maxTokens;
        builder.user = user.orElse(null);
        builder.tools = List.copyOf(tools);
        builder.params.putAll(params);
        builder.headers.putAll(headers);
        return builder;
    }

    /**
     * The chat completion request these options make for {@code messages}, in OpenAI's shape (the system prompt
     * first, when set and the messages do not start with one); for gateways that are not reached over HTTP.
     */
    public ObjectNode requestBody(List<Message> messages) {
        return body(messages, false);
    }

    ObjectNode body(List<Message> messages, boolean stream) {
        ObjectNode body = Json.object().put("model", model);
        var array = body.putArray("messages");
        boolean hasSystem = !messages.isEmpty() && messages.getFirst().role().equals("system");
        systemPrompt.filter(p -> !hasSystem).ifPresent(prompt -> array.add(Message.system(prompt).toJson()));
        messages.forEach(message -> array.add(message.toJson()));
        temperature.ifPresent(t -> body.put("temperature", t));
        maxTokens.ifPresent(m -> body.put("max_tokens", m));
        user.ifPresent(u -> body.put("user", u));
        if (!tools.isEmpty()) {
            body.putArray("tools").addAll(tools);
        }
        params.forEach((name, value) -> body.set(name, Json.MAPPER.valueToTree(value)));
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    /** Builds {@link ChatOptions}; not thread-safe. */
    public static final class Builder {
        private String model = DEFAULT_MODEL;
        private String systemPrompt;
        private OptionalDouble temperature = OptionalDouble.of(DEFAULT_TEMPERATURE);
        private OptionalInt maxTokens = OptionalInt.empty();
        private String user;
        private List<JsonNode> tools = List.of();
        private final Map<String, Object> params = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Builder() {
        }

        /** A model name, with a {@code provider/} prefix when the gateway needs one ({@code groq/llama-3.1-70b}). */
        public Builder model(String model) {
            if (Objects.requireNonNull(model, "model").isBlank()) {
                throw new IllegalArgumentException("model is blank");
            }
            this.model = model;
            return this;
        }

        public Builder systemPrompt(String systemPrompt) {
            this.systemPrompt = Objects.requireNonNull(systemPrompt, "systemPrompt");
            return this;
        }

        /** @throws IllegalArgumentException outside 0..2 */
        public Builder temperature(double temperature) {
            if (!(temperature >= 0 && temperature <= 2)) {
                throw new IllegalArgumentException("temperature must be within 0..2, not " + temperature);
            }
            this.temperature = OptionalDouble.of(temperature);
            return this;
        }

        /** Sends no temperature, for models that refuse one. */
        public Builder noTemperature() {
            this.temperature = OptionalDouble.empty();
            return this;
        }

        /** @throws IllegalArgumentException when not positive */
        public Builder maxTokens(int maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be positive, not " + maxTokens);
            }
            this.maxTokens = OptionalInt.of(maxTokens);
            return this;
        }

        /** The end user, sent as {@code user}; the gateway's audit log records it. */
        public Builder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /** Function tools in OpenAI's shape ({@code {"type":"function","function":{...}}}). */
        public Builder tools(List<JsonNode> tools) {
            this.tools = List.copyOf(tools);
            return this;
        }

        /**
         * Any other request field ({@code top_p}, {@code response_format}, {@code seed}...), serialised with Jackson.
         *
         * @throws IllegalArgumentException for a field these options set themselves
         */
        public Builder param(String name, Object value) {
            if (OWN_FIELDS.contains(Objects.requireNonNull(name, "name"))) {
                throw new IllegalArgumentException("set '" + name + "' with its own builder method");
            }
            params.put(name, value);
            return this;
        }

        /** An extra request header, e.g. {@code Cache-Control: no-cache}. */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public ChatOptions build() {
            return new ChatOptions(model, Optional.ofNullable(systemPrompt), temperature, maxTokens,
                    Optional.ofNullable(user), tools, params, headers);
        }
    }
}
