package dev.smartflow.core.exchange;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An immutable request or response payload: the caller's bytes, kept whole so that fields Smartflow does not know pass
 * through untouched, with a lazily parsed JSON view for the stages that read it.
 *
 * <p>The bytes are never copied on the hot path: {@link #wrap(byte[])} takes ownership of the array, and
 * {@link #writeTo(OutputStream)} writes it out. {@link #json()} parses once and caches the tree; that tree is shared
 * and must not be mutated. To change a body, use {@link #edit(Consumer)}, which works on a private copy and returns a
 * new {@code Body}.
 *
 * <pre>{@code
 * Body body = Body.json("{\"model\":\"openai/gpt-4o\",\"messages\":[]}");
 * String model = body.text("model").orElseThrow();
 * Body stripped = body.edit(o -> o.put("model", "gpt-4o"));
 * }</pre>
 */
public final class Body {
    /** One mapper for the whole process: Jackson mappers are thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static final Body EMPTY = new Body(new byte[0], null);

    private final byte[] bytes;
    private volatile JsonNode json;

    private Body(byte[] bytes, JsonNode json) {
        this.bytes = bytes;
        this.json = json;
    }

    /** Takes ownership of {@code bytes}: the caller must not change the array afterwards. */
    public static Body wrap(byte[] bytes) {
        return new Body(Objects.requireNonNull(bytes, "bytes"), null);
    }

    public static Body json(String json) {
        return wrap(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Serialises {@code node}; the body keeps its own copy of the tree. */
    public static Body of(JsonNode node) {
        Objects.requireNonNull(node, "node");
        try {
            byte[] bytes = MAPPER.writeValueAsBytes(node);
            return new Body(bytes, node.deepCopy());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("JSON tree cannot be serialised", e);
        }
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public void writeTo(OutputStream out) throws IOException {
        out.write(bytes);
    }

    public String utf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * The parsed JSON tree, shared: read it, never mutate it.
     *
     * @throws InvalidRequest if the bytes are not JSON
     */
    public JsonNode json() {
        JsonNode tree = json;
        if (tree == null) {
            try {
                tree = bytes.length == 0 ? MAPPER.missingNode() : MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw new InvalidRequest("body is not valid JSON" + where(e), "invalid_json", null);
            }
            if (tree == null) {
                tree = MAPPER.missingNode();
            }
            json = tree;
        }
        return tree;
    }

    /**
     * The body as a JSON object.
     *
     * @throws InvalidRequest if it is not valid JSON or not an object
     */
    public ObjectNode object() {
        if (json() instanceof ObjectNode o) {
            return o;
        }
        throw new InvalidRequest("request body must be a JSON object", "invalid_json", null);
    }

    /** A top-level text field, empty if absent or not text. */
    public Optional<String> text(String field) {
        JsonNode node = json().path(field);
        return node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
    }

    /** True only when a top-level field is the JSON boolean {@code true}. */
    public boolean flag(String field) {
        JsonNode node = json().path(field);
        return node.isBoolean() && node.booleanValue();
    }

    /**
     * True when the raw bytes contain {@code ascii} (an ASCII string such as {@code "usage"}), without parsing or
     * copying: a cheap test before {@link #json()} for stages that look at only a few chunks of a stream.
     */
    public boolean containsAscii(String ascii) {
        int n = ascii.length();
        outer:
        for (int i = 0, last = bytes.length - n; i <= last; i++) {
            for (int j = 0; j < n; j++) {
                if (bytes[i + j] != (byte) ascii.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * True when the raw bytes hold the key {@code "name"} followed (past whitespace and the colon) by a JSON object,
     * without parsing or copying: tells {@code "usage":{...}} from the {@code "usage":null} that OpenAI puts in every
     * chunk of a stream asked for usage. A match inside a string value is possible only with escaped quotes, so a
     * {@code true} may still be wrong, never a {@code false}.
     */
    public boolean mayHaveObjectField(String name) {
        int n = name.length();
        outer:
        for (int i = 0, last = bytes.length - n - 2; i <= last; i++) {
            if (bytes[i] != '"' || bytes[i + n + 1] != '"') {
                continue;
            }
            for (int j = 0; j < n; j++) {
                if (bytes[i + 1 + j] != (byte) name.charAt(j)) {
                    continue outer;
                }
            }
            int k = skipWhitespace(i + n + 2);
            if (k < bytes.length && bytes[k] == ':') {
                k = skipWhitespace(k + 1);
                if (k < bytes.length && bytes[k] == '{') {
                    return true;
                }
            }
        }
        return false;
    }

    /** A new body: a private copy of this object, changed by {@code editor}, then serialised. */
    public Body edit(Consumer<ObjectNode> editor) {
        ObjectNode copy = object().deepCopy();
        editor.accept(copy);
        try {
            return new Body(MAPPER.writeValueAsBytes(copy), copy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("edited JSON cannot be serialised", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Body other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Never the content: bodies hold prompts and completions. */
    @Override
    public String toString() {
        return "Body[" + bytes.length + " bytes]";
    }

    private int skipWhitespace(int from) {
        int i = from;
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\r' || bytes[i] == '\n')) {
            i++;
        }
        return i;
    }

    /** Where parsing failed, but not what was there: the text may be part of a prompt. */
    private static String where(IOException e) {
        if (e instanceof JsonProcessingException p && p.getLocation() != null) {
            return " (line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + ")";
        }
        return "";
    }
}
