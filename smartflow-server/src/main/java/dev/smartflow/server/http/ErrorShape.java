package dev.smartflow.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.exchange.Body;
import io.javalin.http.Context;
import java.util.List;

/**
 * How a route reports errors: OpenAI's {@code {"error":{"message","type","param","code"}}} everywhere, except the
 * native Anthropic routes, whose clients expect Anthropic's {@code {"type":"error","error":{"type","message"}}}. A
 * handler picks its shape with {@link #use(Context)} before anything can fail; the exception mappers and the stream
 * writer read it back. An error raised before any handler runs (unknown route, wrong method, a request the web server
 * refuses) takes the shape of its path: Anthropic's under {@link #ANTHROPIC_PREFIXES}, OpenAI's elsewhere.
 */
public enum ErrorShape {
    OPENAI,
    ANTHROPIC;

    /** Where Anthropic's clients call: {@code /anthropic/v1/...}, and Cursor's {@code /cursor/v1/...}. */
    public static final List<String> ANTHROPIC_PREFIXES = List.of("/anthropic", "/cursor");

    private static final String ATTRIBUTE = "smartflow.error-shape";

    /** Makes this the shape of every error the request gets from now on. */
    public void use(Context ctx) {
        ctx.attribute(ATTRIBUTE, this);
    }

    /** The shape a handler chose, else its path's. */
    public static ErrorShape of(Context ctx) {
        ErrorShape shape = ctx.attribute(ATTRIBUTE);
        return shape == null ? forPath(ctx.path()) : shape;
    }

    /** Anthropic's for a path under one of {@link #ANTHROPIC_PREFIXES}, OpenAI's for any other (or none). */
    public static ErrorShape forPath(String path) {
        if (path != null) {
            for (String prefix : ANTHROPIC_PREFIXES) {
                if (path.startsWith(prefix)
                        && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                    return ANTHROPIC;
                }
            }
        }
        return OPENAI;
    }

    public byte[] body(SmartflowException e) {
        return this == OPENAI ? ErrorBody.of(e) : anthropic(e.getMessage(), anthropicType(e.status(), e.type()));
    }

    /**
     * @param status the HTTP status the caller gets
     * @param type   OpenAI's error type, which Anthropic's shape replaces by its own for the status
     */
    public byte[] body(int status, String message, String type, String code) {
        return this == OPENAI ? ErrorBody.of(message, type, code, null)
                : anthropic(message, anthropicType(status, type));
    }

    /** Anthropic's error type for a status; an upstream's own Anthropic type, when it gave one, wins for 5xx. */
    static String anthropicType(int status, String type) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503 -> "overloaded_error";
            case 504 -> "timeout_error";
            default -> "overloaded_error".equals(type) ? "overloaded_error"
                    // Anthropic has no type of its own for the other refusals (405, 414, 431, ...): the caller's
                    : status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
        };
    }

    private static byte[] anthropic(String message, String type) {
        ObjectNode root = Body.MAPPER.createObjectNode();
        root.put("type", "error");
        root.putObject("error").put("type", type).put("message", message);
        return ErrorBody.bytes(root);
    }
}
