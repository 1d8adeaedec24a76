package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The request headers of the 2026-07-28 revision's Streamable HTTP transport that mirror the body: {@code Mcp-Method},
 * {@code Mcp-Name} (a tool's or prompt's name, a resource's URI) and {@code Mcp-Param-{Name}} for each tool argument
 * whose schema property is annotated {@code x-mcp-header}. Values that are not plain visible ASCII travel as
 * {@code =?base64?...?=} (UTF-8, Base64). The gateway writes them to modern upstreams and checks them on modern
 * clients' requests, since a mismatch between header and body is how a request smuggles past intermediaries.
 */
final class McpHeaders {
    static final String PARAM_PREFIX = "Mcp-Param-";
    private static final String SENTINEL_START = "=?base64?";
    private static final String SENTINEL_END = "?=";
    private static final int MAX_DEPTH = 16;

    private McpHeaders() {
    }

    /** The body value {@code Mcp-Name} mirrors for {@code method}, if it has one. */
    static Optional<String> name(String method, JsonNode params) {
        JsonNode value = switch (method) {
            case "tools/call", "prompts/get" -> params.path("name");
            case "resources/read" -> params.path("uri");
            default -> null;
        };
        return value != null && value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
    }

    /** A header value for {@code value}: as is when it is plain visible ASCII, else the Base64 sentinel form. */
    static String encode(String value) {
        if (plain(value) && !(value.startsWith(SENTINEL_START) && value.endsWith(SENTINEL_END))) {
            return value;
        }
        return SENTINEL_START + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
                + SENTINEL_END;
    }

    /** The value a header carries, decoded; empty when it holds characters a header may not, or bad Base64. */
    static Optional<String> decode(String header) {
        if (header.startsWith(SENTINEL_START) && header.endsWith(SENTINEL_END)
                && header.length() >= SENTINEL_START.length() + SENTINEL_END.length()) {
            String encoded = header.substring(SENTINEL_START.length(), header.length() - SENTINEL_END.length());
            try {
                byte[] bytes = Base64.getDecoder().decode(encoded);
                return Optional.of(StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString());
            } catch (IllegalArgumentException | CharacterCodingException e) {
                return Optional.empty();
            }
        }
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (!(c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7E))) {
                return Optional.empty();
            }
        }
        return Optional.of(header);
    }

    private static boolean plain(String value) {
        if (value.isEmpty() || value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c == ' ' || (c >= 0x21 && c <= 0x7E))) {
                return false;
            }
        }
        return true;
    }

    /** The {@code Mcp-Param-*} headers a call with {@code arguments} carries under {@code schema}'s annotations. */
    static Map<String, String> paramHeaders(ObjectNode schema, JsonNode arguments) {
        Map<String, String> headers = new LinkedHashMap<>();
        annotated(schema, arguments, 0, (name, value) -> headers.put(PARAM_PREFIX + name, encode(text(value))));
        return headers;
    }

    /**
     * Checks that each annotated argument present in {@code arguments} came with its header, equal to it.
     *
     * @param headers a request header by name (any case)
     * @return what is wrong, or empty when nothing is
     */
    static Optional<String> mismatch(ObjectNode schema, JsonNode arguments,
                                     Function<String, Optional<String>> headers) {
        StringBuilder problem = new StringBuilder();
        annotated(schema, arguments, 0, (name, value) -> {
            if (!problem.isEmpty()) {
                return;
            }
            Optional<String> header = headers.apply(PARAM_PREFIX + name);
            if (header.isEmpty()) {
                problem.append("the header ").append(PARAM_PREFIX).append(name).append(" is missing");
                return;
            }
            Optional<String> decoded = decode(header.get());
            if (decoded.isEmpty()) {
                problem.append("the header ").append(PARAM_PREFIX).append(name).append(" holds invalid characters");
            } else if (!same(decoded.get(), value)) {
                problem.append("the header ").append(PARAM_PREFIX).append(name)
                        .append(" does not match the argument it mirrors");
            }
        });
        return problem.isEmpty() ? Optional.empty() : Optional.of(problem.toString());
    }

    private interface Visitor {
        void visit(String header, JsonNode value);
    }

    /** Visits every property path of {@code schema} annotated {@code x-mcp-header} whose value is present. */
    private static void annotated(JsonNode schema, JsonNode value, int depth, Visitor visitor) {
        if (depth > MAX_DEPTH || !schema.path("properties").isObject() || !value.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
             properties.hasNext(); ) {
            Map.Entry<String, JsonNode> property = properties.next();
            JsonNode argument = value.get(property.getKey());
            if (argument == null || argument.isNull()) {
                continue;
            }
            JsonNode header = property.getValue().path("x-mcp-header");
            if (header.isTextual() && !header.textValue().isBlank()) {
                visitor.visit(header.textValue(), argument);
            }
            annotated(property.getValue(), argument, depth + 1, visitor);
        }
    }

    private static String text(JsonNode value) {
        return value.isTextual() ? value.textValue() : value.isBoolean() ? Boolean.toString(value.booleanValue())
                : value.isNumber() ? value.decimalValue().stripTrailingZeros().toPlainString() : value.toString();
    }

    private static boolean same(String header, JsonNode value) {
        if (value.isNumber()) {
            try {
                return new BigDecimal(header).compareTo(value.decimalValue()) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return header.equals(text(value));
    }
}
