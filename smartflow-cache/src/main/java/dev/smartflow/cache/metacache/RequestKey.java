package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Operation;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The keys of one cacheable request.
 *
 * <p><b>Exact key.</b> SHA-256 of the operation, the scope (namespace and tenant) and the whole request body in a
 * canonical form (object fields sorted, so field order does not matter), except the fields in {@link #IGNORED}, which
 * say how the answer is delivered or who asked, never what it is: {@code stream}, {@code stream_options}, {@code user},
 * {@code metadata}, {@code store}, {@code prompt_cache_key}, {@code safety_identifier}. Everything else (model, every
 * message, temperature, top_p, tools, tool_choice, response_format, seed, n, max_tokens, stop, the Anthropic
 * {@code system}, unknown fields...) is part of it.
 *
 * <p><b>Context hash and semantic text.</b> For L2 only the last user turn is compared by meaning; the rest of the
 * request (system prompt, earlier turns, model, every parameter) hashes into the context hash, which a candidate must
 * equal exactly. A request is not semantic at all when it has tools or tool traffic, when its last message is not a
 * user's plain text, or when that text is longer than the embedder reads.
 */
final class RequestKey {
    static final Set<String> IGNORED = Set.of("stream", "stream_options", "user", "metadata", "store",
            "prompt_cache_key", "safety_identifier");
    private static final Set<String> TOOL_FIELDS = Set.of("tools", "tool_choice", "functions", "function_call",
            "parallel_tool_calls");

    private final String exact;
    private final String context;
    private final Optional<String> semanticText;

    private RequestKey(String exact, String context, Optional<String> semanticText) {
        this.exact = exact;
        this.context = context;
        this.semanticText = semanticText;
    }

    /**
     * The keys of {@code body} for {@code operation} within {@code scope}, or empty when the request is not cacheable
     * at all (not a JSON object with messages, more than one choice, log probabilities or audio asked for).
     */
    static Optional<RequestKey> of(Operation operation, String scope, Body body, int semanticMaxChars) {
        JsonNode json;
        try {
            json = body.json();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (!(json instanceof ObjectNode request) || !request.path("messages").isArray()
                || request.path("messages").isEmpty() || !cacheable(request)) {
            return Optional.empty();
        }
        String prefix = "metacache/v1\n" + operation.name() + "\n" + scope + "\n";
        String exact = hash(prefix, request, false);
        Optional<String> text = semanticText(operation, request).filter(t -> !t.isBlank())
                .filter(t -> t.length() <= semanticMaxChars);
        String context = hash(prefix, request, true);
        return Optional.of(new RequestKey(exact, context, text));
    }

    /** The exact key: 64 hex digits. */
    String exact() {
        return exact;
    }

    /** What everything but the last user turn hashes to: 64 hex digits. */
    String context() {
        return context;
    }

    /** The last user turn's text, when the request may be served by meaning. */
    Optional<String> semanticText() {
        return semanticText;
    }

    private static boolean cacheable(ObjectNode request) {
        JsonNode n = request.path("n");
        if (!n.isMissingNode() && !n.isNull() && !(n.canConvertToExactIntegral() && n.asLong() == 1)) {
            return false;
        }
        if (request.path("logprobs").asBoolean(false) || request.hasNonNull("top_logprobs")) {
            return false;
        }
        for (JsonNode modality : request.path("modalities")) {
            if (modality.asText().equals("audio")) {
                return false;
            }
        }
        return !request.hasNonNull("audio");
    }

    private static Optional<String> semanticText(Operation operation, ObjectNode request) {
        for (String field : TOOL_FIELDS) {
            if (request.has(field)) {
                return Optional.empty();
            }
        }
        JsonNode messages = request.path("messages");
        for (JsonNode message : messages) {
            String role = message.path("role").asText();
            if (role.equals("tool") || role.equals("function") || message.has("tool_calls")
                    || message.has("function_call")) {
                return Optional.empty();
            }
            for (JsonNode part : message.path("content")) {
                String type = part.path("type").asText();
                if (type.equals("tool_use") || type.equals("tool_result")) {
                    return Optional.empty();
                }
            }
        }
        JsonNode last = messages.get(messages.size() - 1);
        if (!last.path("role").asText().equals("user")) {
            return Optional.empty();
        }
        return text(last.path("content"));
    }

    /** A message's content as plain text: a string, or parts that are all text; empty for anything else. */
    private static Optional<String> text(JsonNode content) {
        if (content.isTextual()) {
            return Optional.of(content.textValue());
        }
        if (!content.isArray() || content.isEmpty()) {
            return Optional.empty();
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode part : content) {
            if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
                return Optional.empty();
            }
            texts.add(part.path("text").textValue());
        }
        return Optional.of(String.join("\n", texts));
    }

    /**
     * SHA-256 of {@code prefix} and the canonical request; with {@code withoutLastTurn}, the last message is written
     * without its content (the context hash).
     */
    private static String hash(String prefix, ObjectNode request, boolean withoutLastTurn) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        digest.update(prefix.getBytes(StandardCharsets.UTF_8));
        digest.update(withoutLastTurn ? (byte) 1 : (byte) 0);
        try (JsonGenerator out = Body.MAPPER.createGenerator(new DigestSink(digest))) {
            out.writeStartObject();
            for (String name : sortedNames(request)) {
                if (IGNORED.contains(name)) {
                    continue;
                }
                out.writeFieldName(name);
                if (withoutLastTurn && name.equals("messages")) {
                    writeWithoutLastContent(out, request.get(name));
                } else {
                    canonical(out, request.get(name));
                }
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void writeWithoutLastContent(JsonGenerator out, JsonNode messages) throws IOException {
        out.writeStartArray();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (i < messages.size() - 1 || !message.isObject()) {
                canonical(out, message);
                continue;
            }
            out.writeStartObject();
            for (String name : sortedNames(message)) {
                if (!name.equals("content")) {
                    out.writeFieldName(name);
                    canonical(out, message.get(name));
                }
            }
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    private static void canonical(JsonGenerator out, JsonNode node) throws IOException {
        if (node.isObject()) {
            out.writeStartObject();
            for (String name : sortedNames(node)) {
                out.writeFieldName(name);
                canonical(out, node.get(name));
            }
            out.writeEndObject();
        } else if (node.isArray()) {
            out.writeStartArray();
            for (JsonNode element : node) {
                canonical(out, element);
            }
            out.writeEndArray();
        } else {
            out.writeTree(node);
        }
    }

    private static List<String> sortedNames(JsonNode object) {
        List<String> names = new ArrayList<>(object.size());
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        names.sort(null);
        return names;
    }

    /** Feeds the digest without holding the canonical text in memory. */
    private static final class DigestSink extends OutputStream {
        private final MessageDigest digest;

        DigestSink(MessageDigest digest) {
            this.digest = digest;
        }

        @Override
        public void write(int b) {
            digest.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
        }
    }
}
