package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code GET /api/vas/logs}: the audit log, newest first, one entry per call the gateway served or refused.
 *
 * <p>Query parameters, all optional: {@code limit} (1..{@value AuditQuery#MAX_LIMIT}, default
 * {@value #DEFAULT_LIMIT}), {@code provider}, {@code key} (a virtual key's id, {@code key_…}) and {@code since} (an
 * ISO-8601 instant such as {@code 2026-11-23T10:00:00Z}, an offset date-time, or a date, meaning its start in UTC;
 * within the years 0001..9999). A bad parameter (out of range, malformed, or text with control characters) is a 400
 * naming it. The answer is {@code {"object":"list","data":[...],"has_more":bool}}; each entry
 * has the record's fields in snake case, cost in USD with six decimals and latency in milliseconds with three. Never a
 * token or a token's hash: records hold neither. {@code has_more} says that older matching records exist; at the
 * maximum limit the store returns no more than the page, so there it only says the page is full.
 */
final class AuditRoutes {
    static final String PATH = "/api/vas/logs";
    static final int DEFAULT_LIMIT = 100;

    private final AuditLog audit;

    AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    void register(JavalinConfig app) {
        app.routes.get(PATH, this::logs);
    }

    private void logs(Context ctx) {
        int limit = limit(ctx.queryParam("limit"));
        Optional<String> provider = provider(ctx.queryParam("provider"));
        Optional<KeyId> key = key(ctx.queryParam("key"));
        Optional<Instant> since = since(ctx.queryParam("since"));
        Optional<String> trace = Optional.ofNullable(ctx.queryParam("trace_id")).filter(t -> !t.isBlank());
        // one more than asked for tells whether there is more
        List<AuditRecord> found = audit.query(new AuditQuery(Math.min(limit + 1, AuditQuery.MAX_LIMIT), provider, key,
                since, trace));
        ObjectNode root = Body.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        found.stream().limit(limit).forEach(record -> data.add(describe(record)));
        root.put("has_more", found.size() > limit || found.size() == AuditQuery.MAX_LIMIT);
        Services.json(ctx, 200, Body.of(root).bytes());
    }

    static ObjectNode describe(AuditRecord record) {
        return AuditJson.describe(record);
    }

    private static int limit(String value) {
        return value == null ? DEFAULT_LIMIT : QueryParameters.wholeNumber(value, "limit", 1, AuditQuery.MAX_LIMIT);
    }

    private static Optional<String> provider(String value) {
        return value == null ? Optional.empty() : Optional.of(QueryParameters.text(value, "provider",
                "a provider's name, e.g. openai").toLowerCase(Locale.ROOT));
    }

    private static Optional<KeyId> key(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String id = QueryParameters.text(value, "key", "a virtual key's id, e.g. key_01JD3...");
        if (id.startsWith("sk-")) {
            // a token in a URL ends up in access logs: refuse it, and never repeat it
            throw new InvalidRequest("'key' takes a virtual key's id (key_...), not its token", "invalid_request",
                    "key");
        }
        return Optional.of(KeyId.of(id));
    }

    private static Optional<Instant> since(String value) {
        return value == null ? Optional.empty() : Optional.of(QueryParameters.instant(value, "since", false));
    }
}
