package dev.smartflow.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.exchange.Body;

/** OpenAI's error shape, {@code {"error":{"message","type","param","code"}}}, for every error any service returns. */
public final class ErrorBody {
    private ErrorBody() {
    }

    public static byte[] of(SmartflowException e) {
        return of(e.getMessage(), e.type(), e.code().orElse(null), e.param().orElse(null));
    }

    public static byte[] of(String message, String type, String code, String param) {
        ObjectNode root = Body.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message).put("type", type);
        if (param == null) {
            error.putNull("param");
        } else {
            error.put("param", param);
        }
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        return bytes(root);
    }

    /** An error body's bytes: serialised once, not through a {@link Body}, which would copy the tree and the bytes. */
    static byte[] bytes(ObjectNode root) {
        try {
            return Body.MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body cannot be serialised", e);
        }
    }
}
