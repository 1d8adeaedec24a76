package dev.smartflow.server.runs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.TraceId;
import dev.smartflow.core.runs.RunState;
import dev.smartflow.core.runs.Runs;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The trace view and the kill switch of agent runs, on the management API (master key, like every {@code /api/*}
 * route there):
 * <ul>
 *   <li>{@code GET /api/traces/{trace_id}}: every call of the run in the order it was made (time, request id, kind
 *       {@code llm|mcp|a2a}, provider and model, or MCP server and tool, or agent; tokens, cost, latency, status,
 *       error code), the totals (cost, tokens, calls per kind, errors, wall time) and the run's state
 *       ({@code running}, {@code stopped}, {@code limit_hit} with the limit). A trace with no call and no state is a
 *       404 {@code trace_not_found}. Calls come from the audit log, which is written behind the requests: a call
 *       shows up once its record is written (within the audit writer's flush interval).</li>
 *   <li>{@code POST /api/traces/{trace_id}/stop}: stops the run on every instance (see {@link Runs#stop}).</li>
 * </ul>
 * A trace id that is not one (1 to 128 of {@code [A-Za-z0-9._:-]}) is a 400 {@code invalid_trace_id}.
 */
public final class TraceRoutes {
    public static final String PATH = "/api/traces/{trace_id}";

    private final AuditLog audit;
    private final Runs runs;

    public TraceRoutes(AuditLog audit, Runs runs) {
        this.audit = Objects.requireNonNull(audit, "audit");
        this.runs = Objects.requireNonNull(runs, "runs");
    }

    public void register(JavalinConfig app) {
        app.routes.get(PATH, this::view);
        app.routes.post(PATH + "/stop", this::stop);
    }

    private void view(Context ctx) {
        String trace = trace(ctx);
        List<AuditRecord> records = new ArrayList<>(audit.query(AuditQuery.trace(trace, AuditQuery.MAX_LIMIT)));
        Optional<RunState> state = runs.state(trace);
        if (records.isEmpty() && state.isEmpty()) {
            throw new NotFound("no call of trace '" + trace + "' is recorded", "trace_not_found");
        }
        Collections.reverse(records); // the log answers newest first; a run reads oldest first
        ObjectNode root = Body.MAPPER.createObjectNode().put("object", "trace").put("trace_id", trace);
        RunState run = state.orElse(new RunState(RunState.RUNNING, Optional.empty()));
        root.put("state", run.state());
        run.limit().ifPresent(limit -> root.put("limit", limit));
        ArrayNode calls = root.putArray("calls");
        Map<String, Integer> byKind = new LinkedHashMap<>();
        for (String kind : new String[] {"llm", "mcp", "a2a"}) {
            byKind.put(kind, 0);
        }
        long cost = 0;
        long prompt = 0;
        long completion = 0;
        int errors = 0;
        Instant first = null;
        Instant last = null;
        for (AuditRecord record : records) {
            String kind = kind(record.route());
            byKind.merge(kind, 1, Integer::sum);
            ObjectNode call = calls.addObject().put("timestamp", record.timestamp().toString())
                    .put("request_id", record.requestId()).put("kind", kind);
            switch (kind) {
                case "mcp" -> call.put("server", record.provider()).put("tool", record.model());
                case "a2a" -> call.put("agent", record.model());
                default -> call.put("provider", record.provider()).put("model", record.model());
            }
            call.put("route", record.route())
                    .put("prompt_tokens", record.promptTokens())
                    .put("completion_tokens", record.completionTokens())
                    .put("cost_usd", usd(record.costMicros()))
                    .put("latency_ms", BigDecimal.valueOf(record.latencyMicros(), 3))
                    .put("status", record.status());
            record.error().ifPresentOrElse(e -> call.put("error", e), () -> call.putNull("error"));
            cost += record.costMicros();
            prompt += record.promptTokens();
            completion += record.completionTokens();
            errors += record.failed() ? 1 : 0;
            Instant end = record.timestamp().plusNanos(record.latencyMicros() * 1_000);
            first = first == null || record.timestamp().isBefore(first) ? record.timestamp() : first;
            last = last == null || end.isAfter(last) ? end : last;
        }
        ObjectNode totals = root.putObject("totals").put("calls", records.size())
                .put("cost_usd", usd(cost)).put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion).put("errors", errors)
                .put("wall_time_ms", first == null ? BigDecimal.ZERO
                        : BigDecimal.valueOf(java.time.Duration.between(first, last).toNanos() / 1_000, 3));
        ObjectNode kinds = totals.putObject("by_kind");
        byKind.forEach(kinds::put);
        Services.json(ctx, 200, Body.of(root).bytes());
    }

    private void stop(Context ctx) {
        String trace = trace(ctx);
        runs.stop(trace);
        ObjectNode root = Body.MAPPER.createObjectNode().put("object", "trace").put("trace_id", trace)
                .put("state", RunState.STOPPED);
        Services.json(ctx, 200, Body.of(root).bytes());
    }

    private static String trace(Context ctx) {
        String trace = ctx.pathParam("trace_id");
        if (!TraceId.isValid(trace)) {
            throw new InvalidRequest("a trace id is 1 to " + TraceId.MAX_LENGTH + " characters of A-Z a-z 0-9 . _ : -",
                    "invalid_trace_id", "trace_id");
        }
        return trace;
    }

    /** {@code llm}, {@code mcp} or {@code a2a} by the audited route; another module's call is {@code other}. */
    static String kind(String route) {
        if (route.equals("/mcp") || route.startsWith("/mcp/")) {
            return "mcp";
        }
        if (route.equals("/a2a") || route.startsWith("/a2a/")) {
            return "a2a";
        }
        return LlmRoutes.PATHS.contains(route) ? "llm" : "other";
    }

    /**
     * Read lazily, and through {@link Operation} first: initialising {@code LlmOperation} before {@code Operation}
     * (whose constants name its values) would leave those constants null for the whole process.
     */
    private static final class LlmRoutes {
        static final Set<String> PATHS = Stream.concat(Stream.of(Operation.CHAT), Stream.of(LlmOperation.values()))
                .map(Operation::path).collect(Collectors.toUnmodifiableSet());
    }

    private static BigDecimal usd(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }
}
