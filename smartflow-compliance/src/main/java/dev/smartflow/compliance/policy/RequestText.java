package dev.smartflow.compliance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.smartflow.core.exchange.Body;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The text a request sends a model, wherever the endpoint's shape puts it: chat and Anthropic {@code messages}
 * (string contents and text parts, tool results included), Anthropic's {@code system}, {@code prompt}, {@code input}
 * (embeddings, speech), {@code query} and {@code documents} (rerank). Everything else (model, parameters, images,
 * token arrays) is left alone, both when reading and when redacting.
 */
final class RequestText {
    private static final List<String> FIELDS = List.of("system", "messages", "prompt", "input", "query", "documents");

    private RequestText() {
    }

    /** The request's text, its pieces separated by blank lines; empty when it has none or is not a JSON object. */
    static String of(Body body) {
        if (body.isEmpty()) {
            return "";
        }
        JsonNode json;
        try {
            json = body.json();
        } catch (RuntimeException e) {
            return "";
        }
        if (!json.isObject()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (String field : FIELDS) {
            JsonNode value = json.get(field);
            if (value != null) {
                collect(value, text);
            }
        }
        return text.toString();
    }

    private static void collect(JsonNode node, StringBuilder text) {
        if (node.isTextual()) {
            if (!text.isEmpty()) {
                text.append("\n\n");
            }
            text.append(node.asText());
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, text));
        } else if (node.isObject()) {
            for (String field : List.of("content", "text")) {
                JsonNode value = node.get(field);
                if (value != null) {
                    collect(value, text);
                }
            }
        }
    }

    /** A copy of {@code body} with {@code redact} applied to every piece of its text. */
    static Body redact(Body body, UnaryOperator<String> redact) {
        return body.edit(object -> {
            for (String field : FIELDS) {
                JsonNode value = object.get(field);
                if (value != null) {
                    object.set(field, rewrite(value, redact));
                }
            }
        });
    }

    private static JsonNode rewrite(JsonNode node, UnaryOperator<String> redact) {
        if (node.isTextual()) {
            return TextNode.valueOf(redact.apply(node.asText()));
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, rewrite(array.get(i), redact));
            }
            return array;
        }
        if (node instanceof ObjectNode object) {
            for (String field : List.of("content", "text")) {
                JsonNode value = object.get(field);
                if (value != null) {
                    object.set(field, rewrite(value, redact));
                }
            }
        }
        return node;
    }
}
