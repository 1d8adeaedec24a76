package dev.smartflow.core.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smartflow.core.routing.AttemptOutcome;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.KeyId;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One {@link AuditRecord} as one line of JSON in a spool or journal segment. Every field the record has, named as the
 * management API names them, with {@code "v":1} first so that a later format can still read segments an older
 * process left. Absent values are left out.
 *
 * <p>{@link #line} runs on the request path (the journal), so it streams the fields with Jackson's generator into
 * a pooled buffer and copies out exactly the line's bytes: one array per record, no tree.
 */
final class SpoolFormat {
    static final int VERSION = 1;
    /** A shared buffer pool: requests run on virtual threads, which a thread-local pool would serve one buffer each. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
            .build();
    private static final ObjectMapper JSON = new ObjectMapper(FACTORY);
    private static final byte[] NO_BYTES = new byte[0];

    private SpoolFormat() {
    }

    /** The record as one line, without the line break. */
    static String encode(AuditRecord record) {
        byte[] line = line(record);
        return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
    }

    /** The record as one line of UTF-8, with its line break. */
    static byte[] line(AuditRecord record) {
        LineSink sink = new LineSink();
        try (JsonGenerator json = FACTORY.createGenerator(sink, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeFieldName(Field.V);
            json.writeNumber(VERSION);
            text(json, Field.REQUEST_ID, record.requestId());
            text(json, Field.TIMESTAMP, record.timestamp().toString());
            if (record.keyId().isPresent()) {
                text(json, Field.KEY_ID, record.keyId().get().value());
            }
            optional(json, Field.USER_ID, record.userId());
            optional(json, Field.ORG_ID, record.orgId());
            optional(json, Field.TEAM_ID, record.teamId());
            text(json, Field.ROUTE, record.route());
            text(json, Field.PROVIDER, record.provider());
            text(json, Field.MODEL, record.model());
            number(json, Field.PROMPT_TOKENS, record.promptTokens());
            number(json, Field.COMPLETION_TOKENS, record.completionTokens());
            number(json, Field.COST_MICROS, record.costMicros());
            json.writeFieldName(Field.CACHED);
            json.writeBoolean(record.cached());
            optional(json, Field.HIT_TYPE, record.hitType());
            if (record.complianceScore().isPresent()) {
                json.writeFieldName(Field.COMPLIANCE_SCORE);
                json.writeNumber(record.complianceScore().getAsDouble());
            }
            json.writeFieldName(Field.COMPLIANCE_FLAGS);
            json.writeStartArray();
            for (String flag : record.complianceFlags()) {
                json.writeString(flag);
            }
            json.writeEndArray();
            number(json, Field.LATENCY_MICROS, record.latencyMicros());
            number(json, Field.STATUS, record.status());
            optional(json, Field.ERROR, record.error());
            if (!record.attempts().isEmpty()) {
                json.writeFieldName(Field.ATTEMPTS);
                json.writeTree(AttemptOutcome.toJson(record.attempts()));
            }
            optional(json, Field.TRACE_ID, record.traceId());
            json.writeEndObject();
            json.writeRaw('\n');
        } catch (IOException e) {
            throw new IllegalStateException("an audit record could not be written as JSON", e);
        }
        return sink.line;
    }

    private static void text(JsonGenerator json, SerializedString field, String value) throws IOException {
        json.writeFieldName(field);
        json.writeString(value);
    }

    private static void number(JsonGenerator json, SerializedString field, long value) throws IOException {
        json.writeFieldName(field);
        json.writeNumber(value);
    }

    private static void optional(JsonGenerator json, SerializedString field, Optional<String> value)
            throws IOException {
        if (value.isPresent()) {
            text(json, field, value.get());
        }
    }

    /** The field names, encoded once: the generator copies their bytes instead of quoting each name per record. */
    private static final class Field {
        static final SerializedString V = new SerializedString("v");
        static final SerializedString REQUEST_ID = new SerializedString("request_id");
        static final SerializedString TIMESTAMP = new SerializedString("timestamp");
        static final SerializedString KEY_ID = new SerializedString("key_id");
        static final SerializedString USER_ID = new SerializedString("user_id");
        static final SerializedString ORG_ID = new SerializedString("org_id");
        static final SerializedString TEAM_ID = new SerializedString("team_id");
        static final SerializedString ROUTE = new SerializedString("route");
        static final SerializedString PROVIDER = new SerializedString("provider");
        static final SerializedString MODEL = new SerializedString("model");
        static final SerializedString PROMPT_TOKENS = new SerializedString("prompt_tokens");
        static final SerializedString COMPLETION_TOKENS = new SerializedString("completion_tokens");
        static final SerializedString COST_MICROS = new SerializedString("cost_micros");
        static final SerializedString CACHED = new SerializedString("cached");
        static final SerializedString HIT_TYPE = new SerializedString("hit_type");
        static final SerializedString COMPLIANCE_SCORE = new SerializedString("compliance_score");
        static final SerializedString COMPLIANCE_FLAGS = new SerializedString("compliance_flags");
        static final SerializedString LATENCY_MICROS = new SerializedString("latency_micros");
        static final SerializedString STATUS = new SerializedString("status");
        static final SerializedString ERROR = new SerializedString("error");
        static final SerializedString ATTEMPTS = new SerializedString("attempts");
        // optional, so lines written before it still read back (without a trace)
        static final SerializedString TRACE_ID = new SerializedString("trace_id");

        private Field() {
        }
    }

    /**
     * Takes the generator's flushes: one, of the whole line, unless the line outgrows the generator's buffer
     * (8,000 bytes), and then the pieces joined.
     */
    private static final class LineSink extends OutputStream {
        byte[] line = NO_BYTES;

        @Override
        public void write(byte[] bytes, int offset, int length) {
            byte[] joined = Arrays.copyOf(line, line.length + length);
            System.arraycopy(bytes, offset, joined, line.length, length);
            line = joined;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    /**
     * The record a line holds.
     *
     * @throws IllegalArgumentException when the line is not a record of a known version (e.g. torn by a crash)
     */
    static AuditRecord decode(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (node.path("v").asInt(-1) != VERSION) {
            throw new IllegalArgumentException("unknown spool format version " + node.path("v"));
        }
        try {
            List<String> flags = new ArrayList<>();
            node.path("compliance_flags").forEach(flag -> flags.add(flag.asText()));
            return new AuditRecord(required(node, "request_id"), Instant.parse(required(node, "timestamp")),
                    text(node, "key_id").map(KeyId::of), text(node, "user_id"), text(node, "org_id"),
                    text(node, "team_id"), required(node, "route"), required(node, "provider"),
                    required(node, "model"), whole(node, "prompt_tokens"), whole(node, "completion_tokens"),
                    whole(node, "cost_micros"), node.path("cached").asBoolean(), text(node, "hit_type"),
                    node.path("compliance_score").isNumber()
                            ? OptionalDouble.of(node.get("compliance_score").asDouble()) : OptionalDouble.empty(),
                    flags, whole(node, "latency_micros"), (int) whole(node, "status"), text(node, "error"),
                    AttemptOutcome.fromJson(node.path("attempts")), text(node, "trace_id"));
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException("not a valid audit record: " + e.getMessage(), e);
        }
    }

    private static String required(JsonNode node, String field) {
        return text(node, field).orElseThrow(() -> new IllegalArgumentException(field + " is missing"));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? Optional.empty() : Optional.of(value.asText());
    }

    private static long whole(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw new IllegalArgumentException(field + " is missing or not a whole number");
        }
        return value.asLong();
    }
}
