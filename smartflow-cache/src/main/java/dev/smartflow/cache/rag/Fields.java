package dev.smartflow.cache.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the fields of a request strictly: a field of the wrong type is a 400 naming it, never coerced; an absent or
 * {@code null} field takes its default.
 */
final class Fields {
    private Fields() {
    }

    static String requiredText(ObjectNode body, String name) {
        JsonNode node = body.path(name);
        if (node.isMissingNode() || node.isNull()) {
            throw new InvalidRequest("missing required parameter '" + name + "'", "missing_required_parameter", name);
        }
        if (!node.isTextual()) {
            throw wrongType(name, "a string");
        }
        return node.textValue();
    }

    static String text(ObjectNode body, String name, String otherwise) {
        JsonNode node = body.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return otherwise;
        }
        if (!node.isTextual()) {
            throw wrongType(name, "a string");
        }
        return node.textValue();
    }

    static int integer(ObjectNode body, String name, int otherwise) {
        JsonNode node = body.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return otherwise;
        }
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.intValue();
        }
        if (node.isFloatingPointNumber() && node.canConvertToExactIntegral() && node.canConvertToInt()) {
            return node.intValue();
        }
        throw wrongType(name, "a whole number");
    }

    static double number(ObjectNode body, String name, double otherwise) {
        JsonNode node = body.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return otherwise;
        }
        if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
            throw wrongType(name, "a number");
        }
        return node.doubleValue();
    }

    static boolean bool(ObjectNode body, String name, boolean otherwise) {
        JsonNode node = body.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return otherwise;
        }
        if (!node.isBoolean()) {
            throw wrongType(name, "true or false");
        }
        return node.booleanValue();
    }

    /** An object of string values; at most {@code maxPairs} of them (checked before they are read). */
    static Map<String, String> strings(ObjectNode body, String name, int maxPairs) {
        JsonNode node = body.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw wrongType(name, "an object of strings");
        }
        if (node.size() > maxPairs) {
            throw new InvalidRequest("'" + name + "' has more than " + maxPairs + " pairs", "invalid_value", name);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new InvalidRequest("every value of '" + name + "' must be a string", "invalid_type", name);
            }
            values.put(field.getKey(), field.getValue().textValue());
        }
        return values;
    }

    /** Refuses a field of OpenAI's upload-based API, which this gateway does not serve. */
    static void unsupported(ObjectNode body, String name, String instead) {
        JsonNode node = body.path(name);
        boolean given = !node.isMissingNode() && !node.isNull() && !(node.isArray() && node.isEmpty());
        if (given) {
            throw new InvalidRequest("'" + name + "' is not supported: " + instead, "unsupported_parameter", name);
        }
    }

    /** A query parameter's one value; a parameter given twice is a 400. */
    static Optional<String> query(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw new InvalidRequest("query parameter '" + name + "' is given more than once", "invalid_value", name);
        }
        return values.stream().findFirst();
    }

    private static InvalidRequest wrongType(String name, String expected) {
        return new InvalidRequest("'" + name + "' must be " + expected, "invalid_type", name);
    }
}
