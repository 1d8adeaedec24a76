package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the fields of an API request's JSON object, refusing anything else with a 400 that names the field: unknown
 * fields (so a misspelt option is never silently ignored), wrong types, text that is too long or holds control
 * characters.
 */
final class JsonFields {
    static final int MAX_TEXT = 256;
    static final int MAX_LIST = 1000;

    private final JsonNode node;
    private final String prefix;

    private JsonFields(JsonNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    /**
     * The object {@code node}, whose fields are named {@code prefix + name} in errors.
     *
     * @throws InvalidRequest when it is not an object or has a field outside {@code known}
     */
    static JsonFields of(JsonNode node, String prefix, Set<String> known) {
        if (node == null || !node.isObject()) {
            String name = prefix.isEmpty() ? "the request body" : "'" + prefix.substring(0, prefix.length() - 1) + "'";
            throw new InvalidRequest(name + " must be a JSON object", "invalid_request",
                    prefix.isEmpty() ? null : prefix.substring(0, prefix.length() - 1));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                String shown = name.length() > 64 || !printable(name) ? "(a field name)" : name;
                throw invalid("unknown field '" + prefix + shown + "'", prefix + shown);
            }
        }
        return new JsonFields(node, prefix);
    }

    boolean has(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    JsonNode raw(String name) {
        return node.path(name);
    }

    String param(String name) {
        return prefix + name;
    }

    Optional<String> text(String name, int maxLength) {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonNode value = node.get(name);
        if (!value.isTextual()) {
            throw invalid("'" + param(name) + "' must be a string", param(name));
        }
        return Optional.of(checkText(value.textValue(), param(name), maxLength));
    }

    String requiredText(String name, int maxLength) {
        return text(name, maxLength).filter(s -> !s.isBlank())
                .orElseThrow(() -> invalid("missing required field '" + param(name) + "'", param(name)));
    }

    /** A string that may hold anything but NUL (a secret, a spec): it is never logged or put in a header as is. */
    Optional<String> opaque(String name, int maxLength) {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonNode value = node.get(name);
        if (!value.isTextual()) {
            throw invalid("'" + param(name) + "' must be a string", param(name));
        }
        String text = value.textValue();
        if (text.length() > maxLength || text.indexOf('\0') >= 0) {
            throw invalid("'" + param(name) + "' must be at most " + maxLength + " characters, without NUL",
                    param(name));
        }
        return Optional.of(text);
    }

    Optional<Boolean> bool(String name) {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonNode value = node.get(name);
        if (!value.isBoolean()) {
            throw invalid("'" + param(name) + "' must be true or false", param(name));
        }
        return Optional.of(value.booleanValue());
    }

    List<String> texts(String name, int maxLength) {
        if (!has(name)) {
            return List.of();
        }
        JsonNode value = node.get(name);
        if (!value.isArray() || value.size() > MAX_LIST) {
            throw invalid("'" + param(name) + "' must be a list of at most " + MAX_LIST + " strings", param(name));
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String where = param(name) + "[" + i + "]";
            if (!item.isTextual() || item.textValue().isBlank()) {
                throw invalid("'" + where + "' must be a non-empty string", where);
            }
            values.add(checkText(item.textValue(), where, maxLength));
        }
        return List.copyOf(values);
    }

    /** An object of string values, in the order sent. */
    Map<String, String> textMap(String name, int maxLength, boolean secretValues) {
        if (!has(name)) {
            return Map.of();
        }
        JsonNode value = node.get(name);
        if (!value.isObject() || value.size() > MAX_LIST) {
            throw invalid("'" + param(name) + "' must be an object of at most " + MAX_LIST + " strings", param(name));
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = checkText(field.getKey(), param(name), MAX_TEXT);
            String where = param(name) + "." + key;
            if (!field.getValue().isTextual()) {
                throw invalid("'" + where + "' must be a string", where);
            }
            String text = field.getValue().textValue();
            if (secretValues) {
                if (text.length() > maxLength || text.indexOf('\0') >= 0) {
                    throw invalid("'" + where + "' must be at most " + maxLength + " characters", where);
                }
            } else {
                checkText(text, where, maxLength);
            }
            values.put(key, text);
        }
        return values;
    }

    static String checkText(String text, String param, int maxLength) {
        if (text.codePointCount(0, text.length()) > maxLength || !printable(text)) {
            throw invalid("'" + param + "' must be at most " + maxLength
                    + " characters, without control characters", param);
        }
        return text;
    }

    /** No control characters and no unpaired surrogates: text any store, log line and header keeps as sent. */
    static boolean printable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static InvalidRequest invalid(String message, String param) {
        return new InvalidRequest(message, "invalid_request", param);
    }
}
