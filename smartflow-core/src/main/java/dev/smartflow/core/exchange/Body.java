package dev.smartflow.core.exchange;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
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
import java.util.function.UnaryOperator;

/**
 * An immutable request or response payload: the caller's bytes, kept whole so that fields Smartflow does not know pass
 * through untouched, with a lazily parsed JSON view for the stages that read it.
 *
 * <p>The bytes are never copied on the hot path: {@link #wrap(byte[])} takes ownership of the array, and
 * {@link #writeTo(OutputStream)} writes it out. {@link #json()} parses once and caches the tree (or the refusal, for
 * bytes that are not JSON); that tree is shared and must not be mutated. To change a body, use {@link #edit(Consumer)},
 * which works on a private copy and returns a new {@code Body}, or {@link #editTopLevel(Consumer)}, which copies only
 * the top level.
 *
 * <p>Parser limits are set deliberately rather than left at Jackson's defaults, which would call a valid body "not
 * JSON": a string or a document may be as long as the body itself (whoever accepts the body caps its size, as the
 * server does with its maximum request size), nesting is limited to {@value #MAX_DEPTH} levels, a number to
 * {@value #MAX_NUMBER_LENGTH} characters and a field name to {@value #MAX_NAME_LENGTH}; going past one of those is a
 * 400 that names the limit.
 *
 * <pre>{@code
 * Body body = Body.json("{\"model\":\"openai/gpt-4o\",\"messages\":[]}");
 * String model = body.text("model").orElseThrow();
 * Body stripped = body.edit(o -> o.put("model", "gpt-4o"));
 * }</pre>
 */
public final class Body {
    /** How deeply objects and arrays may nest; OpenAI's bodies, tool schemas included, stay far below. */
    public static final int MAX_DEPTH = 1000;
    /** The longest number, in characters; longer ones cost quadratic time to convert. */
    public static final int MAX_NUMBER_LENGTH = 1000;
    /** The longest field name, in characters. */
    public static final int MAX_NAME_LENGTH = 64 * 1024;

    /** One mapper for the whole process: Jackson mappers are thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(new JsonLimits(MAX_DEPTH, MAX_NUMBER_LENGTH, MAX_NAME_LENGTH)).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static final Body EMPTY = new Body(new byte[0], null);

    /**
     * Writes go out in slices of this size: an Okio sink copies a whole write into its buffer before it sends any of
     * it, so writing a large body in one call would hold a second copy of it in memory.
     */
    private static final int WRITE_SLICE = 64 * 1024;

    private final byte[] bytes;
    private volatile JsonNode json;
    private volatile InvalidRequest refusal;

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
        for (int from = 0; from < bytes.length; from += WRITE_SLICE) {
            out.write(bytes, from, Math.min(WRITE_SLICE, bytes.length - from));
        }
    }

    public String utf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * The parsed JSON tree, shared: read it, never mutate it.
     *
     * @throws InvalidRequest if the bytes are not JSON, or go past one of the parser limits the class comment names
     */
    public JsonNode json() {
        JsonNode tree = json;
        return tree != null ? tree : json(UnaryOperator.identity());
    }

    /**
     * The parsed JSON tree as {@link #json()} gives it; if the body is not parsed yet, it is parsed now, its tokens read
     * through the parser {@code watcher} returns (one that wraps the given parser, to meter the tree as it grows, say).
     * Whatever the watcher throws, other than an {@link IOException}, reaches the caller unchanged and leaves the body
     * unparsed.
     *
     * @throws InvalidRequest as {@link #json()} does
     */
    public JsonNode json(UnaryOperator<JsonParser> watcher) {
        JsonNode tree = json;
        if (tree != null) {
            return tree;
        }
        if (refusal != null) {
            // the same answer without parsing again: a body that fails late may have built a large tree first
            throw refusal;
        }
        if (bytes.length == 0) {
            tree = MAPPER.missingNode();
        } else {
            try (JsonParser parser = watcher.apply(MAPPER.createParser(bytes))) {
                tree = MAPPER.readTree(parser);
            } catch (IOException e) {
                refusal = JsonLimits.refusal(e).orElseGet(
                        () -> new InvalidRequest("body is not valid JSON" + where(e), "invalid_json", null));
                throw refusal;
            }
            if (tree == null) {
                tree = MAPPER.missingNode();
            }
        }
        json = tree;
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
        return serialised(object().deepCopy(), editor);
    }

    /**
     * A new body whose top level is a copy of this object, changed by {@code editor}, then serialised. Only the top
     * level is copied: nested objects and arrays are this body's own, shared by both trees, so the editor may add,
     * replace and remove top-level fields but must not change a nested value in place (it puts a copy instead).
     * Costs a few bytes per top-level field rather than a copy of the whole tree, which matters for large bodies whose
     * {@code model} is rewritten on the way upstream.
     */
    public Body editTopLevel(Consumer<ObjectNode> editor) {
        ObjectNode original = object();
        return serialised(original.objectNode().setAll(original), editor);
    }

    private static Body serialised(ObjectNode copy, Consumer<ObjectNode> editor) {
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
