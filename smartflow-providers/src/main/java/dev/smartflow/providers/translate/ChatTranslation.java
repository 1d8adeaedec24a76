package dev.smartflow.providers.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import java.util.Objects;
import java.util.Optional;

/**
 * Steps shared by the adapters that translate an OpenAI chat request to another protocol's turns (Anthropic's
 * {@code messages} of {@code content} blocks, Gemini's {@code contents} of {@code parts}). Failures name the message
 * at {@code index} in the caller's {@code messages}. Public only so that every protocol package of this module can use
 * it; not an API. Stateless and thread-safe.
 */
public final class ChatTranslation {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String BASE64 = ";base64";

    private ChatTranslation() {
    }

    /** A base64 data URL's media type and data, the data still encoded. */
    public record DataUrl(String mediaType, String data) {
        public DataUrl {
            Objects.requireNonNull(mediaType, "mediaType");
            Objects.requireNonNull(data, "data");
        }
    }

    /**
     * Appends a turn of {@code role} holding {@code items} under {@code field}, merging them into the previous turn
     * when its role is the same (both protocols want roles to alternate); nothing when {@code items} is empty.
     */
    public static void appendTurn(ArrayNode turns, String role, String field, ArrayNode items) {
        if (items.isEmpty()) {
            return;
        }
        JsonNode last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && role.equals(last.path("role").asText())) {
            ((ArrayNode) last.path(field)).addAll(items);
            return;
        }
        turns.addObject().put("role", role).set(field, items);
    }

    /** The URL of an {@code image_url} content part, which may be a string or an object holding {@code url}. */
    public static String imageUrl(JsonNode imageUrl) {
        return imageUrl.isTextual() ? imageUrl.textValue() : imageUrl.path("url").asText();
    }

    /**
     * {@code url} read as a data URL; empty when it is not one.
     *
     * @throws InvalidRequest if it is a data URL but not a base64 one
     */
    public static Optional<DataUrl> dataUrl(String url, int index) {
        if (!url.startsWith("data:")) {
            return Optional.empty();
        }
        int comma = url.indexOf(',');
        String meta = comma < 0 ? "" : url.substring(5, comma);
        if (comma < 0 || !meta.endsWith(BASE64)) {
            throw new InvalidRequest("messages[" + index + "] has an image data URL that is not base64",
                    "invalid_request", "messages[" + index + "].content");
        }
        return Optional.of(new DataUrl(meta.substring(0, meta.length() - BASE64.length()), url.substring(comma + 1)));
    }

    /**
     * The parsed {@code arguments} of a tool call's {@code function}; an empty object when they are blank.
     *
     * @throws InvalidRequest if they are not JSON
     */
    public static JsonNode toolArguments(JsonNode function, int index) {
        String arguments = function.path("arguments").asText("");
        try {
            return arguments.isBlank() ? NODES.objectNode() : Body.MAPPER.readTree(arguments);
        } catch (JsonProcessingException e) {
            throw new InvalidRequest("messages[" + index + "].tool_calls has arguments that are not JSON",
                    "invalid_request", "messages[" + index + "].tool_calls");
        }
    }

    /** {@code node} as JSON text. */
    public static String json(JsonNode node) {
        try {
            return Body.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed tree cannot fail to serialise", e);
        }
    }
}
