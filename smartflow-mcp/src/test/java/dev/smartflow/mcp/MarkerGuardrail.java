package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Principal;
import java.util.List;

/**
 * A guardrail for the tests, found through {@code META-INF/services} as the compliance module's would be: it flags a
 * card number in a call's arguments ({@code pii.card}) and the word {@code leak} in its result
 * ({@code secret.leak}).
 */
public final class MarkerGuardrail implements McpGuardrail {
    @Override
    public Verdict inspect(Direction direction, String serverId, String tool, JsonNode payload, Principal caller) {
        String text = payload.toString();
        if (direction == Direction.ARGUMENTS && text.contains("4111 1111 1111 1111")) {
            return new Verdict(List.of("pii.card"));
        }
        if (direction == Direction.RESULT && text.contains("leak")) {
            return new Verdict(List.of("secret.leak"));
        }
        return Verdict.CLEAN;
    }
}
