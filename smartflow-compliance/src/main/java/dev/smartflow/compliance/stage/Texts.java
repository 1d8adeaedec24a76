package dev.smartflow.compliance.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.smartflow.core.exchange.LlmOperation;
import java.util.Set;

/**
 * Where the text of a request or an answer is, per operation: the strings the compliance stage scans, visited in a
 * fixed order so that a second walk over an edited copy of the body meets them in the same order.
 *
 * <ul>
 *   <li>OpenAI chat: each message's {@code content} (a string, or the {@code text} of its text parts), its tool
 *       calls' {@code function.arguments} and a legacy {@code function_call.arguments}; the answer's
 *       {@code choices[].message} likewise.
 *   <li>Completions: {@code prompt} (a string or strings); the answer's {@code choices[].text}.
 *   <li>Embeddings: {@code input} (a string or strings); images: {@code prompt}; speech: {@code input}; rerank:
 *       {@code query} and {@code documents} (strings or {@code {text}}).
 *   <li>Anthropic Messages (and token counts): {@code system} (a string or text blocks), each message's
 *       {@code content} (a string, or blocks: {@code text}, every string inside a {@code tool_use}'s {@code input},
 *       a {@code tool_result}'s content); the answer's {@code content} blocks likewise.
 * </ul>
 *
 * Images, audio and other binary parts are not read.
 */
final class Texts {
    private static final Set<String> TEXT_PARTS = Set.of("text", "input_text", "output_text");
    private static final int MAX_DEPTH = 32;

    /** Sees each text; returns its replacement, or null to leave it (on a shared tree, always null). */
    @FunctionalInterface
    interface Visitor {
        String visit(String text);
    }

    private Texts() {
    }

    /** Whether {@code operation}'s requests carry text this stage reads. */
    static boolean scanned(LlmOperation operation) {
        return switch (operation) {
            case CHAT, COMPLETIONS, EMBEDDINGS, IMAGES, SPEECH, RERANK, ANTHROPIC_MESSAGES, ANTHROPIC_COUNT_TOKENS ->
                    true;
            case MODELS, TRANSCRIPTIONS -> false;
        };
    }

    static void request(LlmOperation operation, JsonNode body, Visitor visitor) {
        switch (operation) {
            case CHAT -> {
                for (JsonNode message : body.path("messages")) {
                    chatMessage(message, visitor);
                }
            }
            case COMPLETIONS, IMAGES -> strings(body, "prompt", visitor);
            case EMBEDDINGS, SPEECH -> strings(body, "input", visitor);
            case RERANK -> {
                field(body, "query", visitor);
                JsonNode documents = body.path("documents");
                for (int i = 0; i < documents.size(); i++) {
                    if (documents.get(i).isTextual()) {
                        element(documents, i, visitor);
                    } else {
                        field(documents.get(i), "text", visitor);
                    }
                }
            }
            case ANTHROPIC_MESSAGES, ANTHROPIC_COUNT_TOKENS -> {
                anthropicContent(body, "system", visitor);
                for (JsonNode message : body.path("messages")) {
                    anthropicContent(message, "content", visitor);
                }
            }
            case MODELS, TRANSCRIPTIONS -> {
            }
        }
    }

    /** The text of a complete answer of {@code operation}. */
    static void answer(LlmOperation operation, JsonNode body, Visitor visitor) {
        switch (operation) {
            case CHAT -> {
                for (JsonNode choice : body.path("choices")) {
                    chatMessage(choice.path("message"), visitor);
                }
            }
            case COMPLETIONS -> {
                for (JsonNode choice : body.path("choices")) {
                    field(choice, "text", visitor);
                }
            }
            case ANTHROPIC_MESSAGES -> anthropicContent(body, "content", visitor);
            default -> {
            }
        }
    }

    private static void chatMessage(JsonNode message, Visitor visitor) {
        JsonNode content = message.path("content");
        if (content.isTextual()) {
            field(message, "content", visitor);
        } else if (content.isArray()) {
            for (JsonNode part : content) {
                if (!part.has("type") || TEXT_PARTS.contains(part.path("type").asText())) {
                    field(part, "text", visitor);
                }
            }
        }
        for (JsonNode call : message.path("tool_calls")) {
            field(call.path("function"), "arguments", visitor);
        }
        field(message.path("function_call"), "arguments", visitor);
    }

    private static void anthropicContent(JsonNode parent, String name, Visitor visitor) {
        JsonNode content = parent.path(name);
        if (content.isTextual()) {
            field(parent, name, visitor);
            return;
        }
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> field(block, "text", visitor);
                case "tool_use", "server_tool_use" -> everyString(block, "input", visitor, 0);
                case "tool_result" -> anthropicContent(block, "content", visitor);
                default -> {
                }
            }
        }
    }

    private static void everyString(JsonNode parent, String name, Visitor visitor, int depth) {
        JsonNode node = parent.path(name);
        if (depth > MAX_DEPTH) {
            return;
        }
        if (node.isTextual()) {
            field(parent, name, visitor);
        } else if (node.isObject()) {
            for (var names = node.fieldNames(); names.hasNext(); ) {
                everyString(node, names.next(), visitor, depth + 1);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (node.get(i).isTextual()) {
                    element(node, i, visitor);
                } else if (node.get(i).isContainerNode()) {
                    everyStringIn(node.get(i), visitor, depth + 1);
                }
            }
        }
    }

    private static void everyStringIn(JsonNode container, Visitor visitor, int depth) {
        if (container.isObject()) {
            for (var names = container.fieldNames(); names.hasNext(); ) {
                everyString(container, names.next(), visitor, depth);
            }
        } else {
            for (int i = 0; i < container.size(); i++) {
                if (container.get(i).isTextual()) {
                    element(container, i, visitor);
                } else if (container.get(i).isContainerNode()) {
                    everyStringIn(container.get(i), visitor, depth + 1);
                }
            }
        }
    }

    /** A field that is a string, or an array of strings. */
    private static void strings(JsonNode parent, String name, Visitor visitor) {
        JsonNode node = parent.path(name);
        if (node.isTextual()) {
            field(parent, name, visitor);
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (node.get(i).isTextual()) {
                    element(node, i, visitor);
                }
            }
        }
    }

    private static void field(JsonNode parent, String name, Visitor visitor) {
        JsonNode node = parent.get(name);
        if (node != null && node.isTextual()) {
            String replacement = visitor.visit(node.textValue());
            if (replacement != null) {
                ((ObjectNode) parent).put(name, replacement);
            }
        }
    }

    private static void element(JsonNode array, int index, Visitor visitor) {
        String replacement = visitor.visit(array.get(index).textValue());
        if (replacement != null) {
            ((ArrayNode) array).set(index, TextNode.valueOf(replacement));
        }
    }
}
