package dev.smartflow.compliance.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import java.util.Optional;

/** Reads a Compliance API request's fields, refusing bad ones with a 400 that names the field. */
final class Fields {
    static final int MAX_ID = 256;

    private Fields() {
    }

    /** The request's JSON object. */
    static JsonNode object(Body body) {
        if (body.isEmpty()) {
            throw new InvalidRequest("the request body must be a JSON object", "invalid_request", null);
        }
        return body.object();
    }

    /** A required string field. */
    static String text(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            throw new InvalidRequest("'" + name + "' is required", "missing_field", name);
        }
        if (!node.isTextual()) {
            throw new InvalidRequest("'" + name + "' must be a string", "invalid_type", name);
        }
        return node.textValue();
    }

    /** An optional identifier: a string of 1 to 256 characters without control characters. */
    static Optional<String> id(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new InvalidRequest("'" + name + "' must be a string", "invalid_type", name);
        }
        String value = node.textValue().strip();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.codePointCount(0, value.length()) > MAX_ID) {
            throw new InvalidRequest("'" + name + "' is longer than " + MAX_ID + " characters", "invalid_value",
                    name);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) && !validSurrogate(value, i)) {
                throw new InvalidRequest("'" + name + "' holds a control character", "invalid_value", name);
            }
        }
        return Optional.of(value);
    }

    /** An optional boolean field. */
    static Optional<Boolean> flag(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isBoolean()) {
            throw new InvalidRequest("'" + name + "' must be true or false", "invalid_type", name);
        }
        return Optional.of(node.booleanValue());
    }

    private static boolean validSurrogate(String value, int i) {
        char c = value.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
    }
}
