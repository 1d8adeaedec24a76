package dev.smartflow.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The client's one JSON mapper and the lenient readers every answer record uses: a missing or mistyped field reads as
 * its default, so a gateway that adds fields (or a module that leaves one out) never breaks a caller.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Parses {@code bytes}; an empty body is the missing node. */
    static JsonNode parse(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            return MissingNode.getInstance();
        }
        JsonNode node = MAPPER.readTree(bytes);
        return node == null ? MissingNode.getInstance() : node;
    }

    static String text(JsonNode node, String field) {
        return text(node, field, "");
    }

    static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() ? value.asText() : fallback;
    }

    static Optional<String> optionalText(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() && !value.asText().isEmpty() ? Optional.of(value.asText())
                : Optional.empty();
    }

    static long number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asLong() : value.isTextual() ? parseLong(value.asText()) : 0;
    }

    private static long parseLong(String text) {
        try {
            return new BigDecimal(text.strip()).longValue();
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static double decimal(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isNumber()) {
            return value.asDouble();
        }
        if (value.isTextual()) {
            try {
                return Double.parseDouble(value.asText().strip());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    static OptionalDouble optionalDecimal(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? OptionalDouble.of(value.asDouble()) : OptionalDouble.empty();
    }

    static BigDecimal money(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (value.isTextual()) {
            try {
                return new BigDecimal(value.asText().strip());
            } catch (NumberFormatException e) {
                return BigDecimal.ZERO;
            }
        }
        return BigDecimal.ZERO;
    }

    static boolean bool(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isBoolean() ? value.asBoolean() : value.isTextual() && value.asText().equalsIgnoreCase("true");
    }

    /**
     * The strings of an array field; an element that is an object contributes its {@code type},
     * {@code violation_type} or {@code name}, so lists of findings read as their types.
     */
    static List<String> strings(JsonNode node, String field) {
        JsonNode array = node.path(field);
        if (!array.isArray()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (JsonNode element : array) {
            if (element.isValueNode() && !element.isNull()) {
                out.add(element.asText());
            } else if (element.isObject()) {
                String name = text(element, "type", text(element, "violation_type", text(element, "name")));
                if (!name.isEmpty()) {
                    out.add(name);
                }
            }
        }
        return List.copyOf(out);
    }

    /** The elements of an array field, each as it came. */
    static List<JsonNode> nodes(JsonNode node, String field) {
        JsonNode array = node.path(field);
        if (!array.isArray()) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return List.copyOf(out);
    }

    /** An ISO-8601 instant (with {@code Z} or an offset); {@link Instant#EPOCH} when absent or unreadable. */
    static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        if (text.isEmpty()) {
            return Instant.EPOCH;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeException again) {
                return Instant.EPOCH;
            }
        }
    }
}
