package dev.smartflow.core.exchange;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An operation a module serves, not routed to a model provider: its stage answers the exchange. The pipeline treats it
 * like any call up to there: authentication, rate limits, the budget (when {@code billed}, holding what the exchange's
 * {@link dev.smartflow.core.budget.WorstCase} says) and the audit record, under {@code path}.
 *
 * <pre>{@code
 * static final ModuleOperation TOOL_CALL = new ModuleOperation("mcp.tools/call", "/mcp/tools/call", true, false);
 * }</pre>
 *
 * @param name    a short name for logs, e.g. {@code mcp.tools/call}
 * @param path    the route as the audit log names it, starting with {@code /}
 * @param billed  whether the call can cost money
 * @param streams whether its answer may be a stream of chunks
 */
public record ModuleOperation(String name, String path, boolean billed, boolean streams) implements Operation {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._/-]{0,63}");

    public ModuleOperation {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a module operation's name is lower-case letters, digits and . _ / -: "
                    + name);
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a module operation's path starts with '/': " + path);
        }
    }

    /** Never: a module's stage answers it. */
    @Override
    public boolean routed() {
        return false;
    }

    @Override
    public String toString() {
        return name;
    }
}
