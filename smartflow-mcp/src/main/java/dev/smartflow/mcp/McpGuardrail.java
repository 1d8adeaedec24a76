package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Principal;
import java.util.List;
import java.util.Objects;

/**
 * Inspects what passes through the MCP gateway: a tool call's arguments on the way in, its result on the way out.
 * Findings block the call when the server's {@code guardrail_mode} is {@code strict}; under {@code log} they are noted
 * (on the audit record's compliance flags and the call log) and the call goes on.
 *
 * <p>The gateway finds its guardrail with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.smartflow.mcp.McpGuardrail}); with none on the class path it uses {@link #NONE}, which
 * finds nothing. The compliance module plugs in by shipping one implementation that runs its scanner over the text of
 * the payload.
 *
 * <pre>{@code
 * public final class PiiGuardrail implements McpGuardrail {
 *     public Verdict inspect(Direction direction, String serverId, String tool, JsonNode payload, Principal caller) {
 *         List<String> found = scanner.scan(payload.toString(), caller.tenant());   // e.g. ["pii.email"]
 *         return new Verdict(found);
 *     }
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe and fast (they run on every tool call), and must not put what they inspect into
 * findings or logs: findings are short codes.
 */
public interface McpGuardrail {
    /** Finds nothing. */
    McpGuardrail NONE = (direction, serverId, tool, payload, caller) -> Verdict.CLEAN;

    /** Which way the payload travels. */
    enum Direction {
        /** A call's arguments, before the upstream sees them. */
        ARGUMENTS,
        /** A call's result, before the client sees it. */
        RESULT
    }

    /**
     * @param payload the call's {@code arguments} or the upstream's {@code result}; do not change it
     */
    Verdict inspect(Direction direction, String serverId, String tool, JsonNode payload, Principal caller);

    /** What was found: short codes such as {@code pii.email}; none means clean. */
    record Verdict(List<String> findings) {
        public static final Verdict CLEAN = new Verdict(List.of());

        public Verdict {
            findings = List.copyOf(Objects.requireNonNull(findings, "findings"));
        }

        public boolean clean() {
            return findings.isEmpty();
        }
    }
}
