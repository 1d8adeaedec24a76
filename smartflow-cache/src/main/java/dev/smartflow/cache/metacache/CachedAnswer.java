package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.model.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * One stored answer: the provider's complete answer in its own shape (an OpenAI {@code chat.completion} or an
 * Anthropic {@code message}; a streamed answer is stored assembled into that shape), what served it and what it used,
 * the question's last user turn (for the {@link Guard}) and when it expires.
 *
 * <p>In shared state an answer is kept as Base64 of its DEFLATE-compressed JSON: chat answers are repetitive text and
 * JSON, typically a third of their size compressed. Decoding inflates at most {@link #MAX_INFLATED} bytes, so a
 * corrupted or planted entry cannot exhaust memory.
 */
record CachedAnswer(Format format, Body answer, String provider, String model, Usage usage, String query,
                    Instant expires) {
    static final int MAX_INFLATED = 16 * 1024 * 1024;

    /** The wire shape of the stored answer, which decides how it is replayed. */
    enum Format {
        OPENAI, ANTHROPIC
    }

    CachedAnswer {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(expires, "expires");
    }

    boolean expired(Instant now) {
        return !now.isBefore(expires);
    }

    /** The same answer under another expiry. */
    CachedAnswer expiring(Instant at) {
        return new CachedAnswer(format, answer, provider, model, usage, query, at);
    }

    /** Compressed, Base64: what shared state keeps. */
    String encode() {
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("v", 1);
        json.put("format", format.name());
        json.put("provider", provider);
        json.put("model", model);
        json.put("prompt_tokens", usage.promptTokens());
        json.put("completion_tokens", usage.completionTokens());
        json.put("cached_tokens", usage.cachedPromptTokens());
        json.put("query", query);
        json.put("expires", expires.toEpochMilli());
        json.set("answer", answer.json());
        try {
            byte[] plain = Body.MAPPER.writeValueAsBytes(json);
            Deflater deflater = new Deflater(Deflater.BEST_SPEED);
            try {
                deflater.setInput(plain);
                deflater.finish();
                ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 2 + 64);
                byte[] buffer = new byte[8192];
                while (!deflater.finished()) {
                    out.write(buffer, 0, deflater.deflate(buffer));
                }
                return Base64.getEncoder().encodeToString(out.toByteArray());
            } finally {
                deflater.end();
            }
        } catch (IOException e) {
            throw new IllegalStateException("a cached answer cannot be serialised", e);
        }
    }

    /** The answer {@link #encode()} wrote, or empty for anything else (corrupt, foreign, too large). */
    static Optional<CachedAnswer> decode(String encoded) {
        try {
            byte[] compressed = Base64.getDecoder().decode(encoded);
            Inflater inflater = new Inflater();
            ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.length * 3);
            try {
                inflater.setInput(compressed);
                byte[] buffer = new byte[8192];
                while (!inflater.finished()) {
                    int n = inflater.inflate(buffer);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        return Optional.empty();
                    }
                    out.write(buffer, 0, n);
                    if (out.size() > MAX_INFLATED) {
                        return Optional.empty();
                    }
                }
            } finally {
                inflater.end();
            }
            JsonNode json = Body.MAPPER.readTree(out.toByteArray());
            if (json == null || json.path("v").asInt() != 1 || !json.path("answer").isObject()) {
                return Optional.empty();
            }
            Usage usage = new Usage(json.path("prompt_tokens").asLong(), json.path("completion_tokens").asLong(),
                    json.path("prompt_tokens").asLong() + json.path("completion_tokens").asLong(),
                    json.path("cached_tokens").asLong());
            return Optional.of(new CachedAnswer(Format.valueOf(json.path("format").asText()),
                    Body.of(json.get("answer")), json.path("provider").asText(), json.path("model").asText(), usage,
                    json.path("query").asText(), Instant.ofEpochMilli(json.path("expires").asLong())));
        } catch (IOException | DataFormatException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "CachedAnswer[" + format + ", " + provider + "/" + model + ", expires " + expires + "]";
    }
}
