package dev.smartflow.compliance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the fields of an admin route's JSON body, each checked against its limits; anything else is a 400 whose
 * {@code param} names the field ({@code applicable_models[2]}, {@code metadata.source_ips[0]}), so that no store ever
 * sees such a value and every database answers alike.
 */
final class JsonFields {
    /** Ids we make or accept: letters, digits, {@code _ . -}, starting with a letter or digit. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private JsonFields() {
    }

    /** The JSON object the request was sent; a 400 for anything else. */
    static JsonNode object(Context ctx) {
        JsonNode body;
        try {
            byte[] bytes = ctx.bodyAsBytes();
            body = bytes.length == 0 ? null : Body.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new InvalidRequest("the request body is not valid JSON", "invalid_json", null);
        }
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("the request body must be a JSON object", "invalid_request", null);
        }
        return body;
    }

    /** Refuses any field not in {@code allowed}, naming it ({@code prefix} before the name, e.g. {@code metadata.}). */
    static void onlyKnown(JsonNode object, Set<String> allowed, String prefix) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw invalid("unknown field '" + prefix + printable(name) + "'", prefix + printable(name));
            }
        }
    }

    /** True when the field is present and not null. */
    static boolean has(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value != null && !value.isNull();
    }

    /**
     * The text of {@code field}: a string, stripped, not blank, at most {@code max} characters, without control
     * characters except, when {@code multiline}, line breaks and tabs.
     */
    static String text(JsonNode object, String field, int max, boolean multiline) {
        return text(object.get(field), field, max, multiline, false);
    }

    /** Like {@link #text} but may be empty (a description). */
    static String optionalText(JsonNode object, String field, int max, boolean multiline) {
        return text(object.get(field), field, max, multiline, true);
    }

    static String text(JsonNode value, String param, int max, boolean multiline, boolean mayBeEmpty) {
        if (value == null || !value.isTextual()) {
            throw invalid("'" + param + "' must be a string", param);
        }
        String text = value.asText().strip();
        if (text.isEmpty() && !mayBeEmpty) {
            throw invalid("'" + param + "' must not be empty", param);
        }
        problem(text, max, multiline).ifPresent(problem -> {
            throw invalid("'" + param + "' " + problem, param);
        });
        return text;
    }

    /** An integer from {@code min} to {@code max}. */
    static int integer(JsonNode object, String field, int min, int max) {
        JsonNode value = object.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min
                || value.intValue() > max) {
            throw invalid("'" + field + "' must be a whole number from " + min + " to " + max, field);
        }
        return value.intValue();
    }

    static boolean bool(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || !value.isBoolean()) {
            throw invalid("'" + field + "' must be true or false", field);
        }
        return value.booleanValue();
    }

    /** A list of at most {@code maxEntries} distinct texts of at most {@code maxLength} characters each. */
    static List<String> strings(JsonNode value, String param, int maxEntries, int maxLength) {
        if (value == null || !value.isArray()) {
            throw invalid("'" + param + "' must be an array of strings", param);
        }
        ArrayNode array = (ArrayNode) value;
        if (array.size() > maxEntries) {
            throw invalid("'" + param + "' has more than " + maxEntries + " entries", param);
        }
        List<String> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String entry = text(array.get(i), param + "[" + i + "]", maxLength, false, false);
            if (values.contains(entry)) {
                throw invalid("'" + param + "[" + i + "]' repeats '" + entry + "'", param + "[" + i + "]");
            }
            values.add(entry);
        }
        return values;
    }

    /** One of {@code choices} (any case), as {@code parse} reads it. */
    static <T> T choice(JsonNode object, String field, String choices, Function<String, Optional<T>> parse) {
        JsonNode value = object.get(field);
        if (value == null || !value.isTextual()) {
            throw invalid("'" + field + "' must be one of " + choices, field);
        }
        return parse.apply(value.asText()).orElseThrow(() -> invalid("'" + field + "' must be one of " + choices
                + ", not '" + printable(value.asText()) + "'", field));
    }

    /** An id given by the caller, or a 400 naming {@code param}. */
    static String id(JsonNode value, String param) {
        if (value == null || !value.isTextual() || !ID.matcher(value.asText()).matches()) {
            throw invalid("'" + param + "' must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter "
                    + "or digit", param);
        }
        return value.asText();
    }

    /**
     * Why {@code text} cannot be stored: longer than {@code max} code points, a control character (line breaks and tabs
     * allowed when {@code multiline}) or an unpaired surrogate, which databases keep differently or refuse.
     */
    static Optional<String> problem(String text, int max, boolean multiline) {
        if (text.length() > max && text.codePointCount(0, text.length()) > max) {
            return Optional.of("is longer than " + max + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
                return Optional.of(String.format(Locale.ROOT, "contains the control character U+%04X", (int) c));
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("contains an unpaired surrogate (not valid Unicode)");
            }
        }
        return Optional.empty();
    }

    static InvalidRequest invalid(String message, String param) {
        return new InvalidRequest(message, "invalid_request", param);
    }

    /** A caller's text fit to repeat in an error: short, control characters replaced. */
    static String printable(String text) {
        String cut = text.length() > 64 ? text.substring(0, 64) + "…" : text;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) || Character.isSurrogate(
                (char) c) ? '?' : c));
        return out.toString();
    }
}
