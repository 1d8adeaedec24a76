package dev.smartflow.server.management;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.AuditAnalytics;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code GET /api/analytics?start_date=&end_date=&top=}: the audit log's figures over a time range (see
 * {@link AuditAnalytics}), computed by the database from aggregates, never on the request path.
 *
 * <p>Parameters, all optional:
 * <ul>
 *   <li>{@code start_date}: {@code YYYY-MM-DD} (from that UTC day's start) or an ISO-8601 instant with {@code Z} or an
 *       offset; default {@code end_date} minus 7 days;</li>
 *   <li>{@code end_date}: {@code YYYY-MM-DD} (through the whole of that UTC day) or an ISO-8601 instant (exclusive);
 *       default now;</li>
 *   <li>{@code top}: how many entries the model, key and user lists hold, 1..{@value #MAX_TOP}, default
 *       {@value #DEFAULT_TOP}.</li>
 * </ul>
 * A blank parameter counts as absent. A malformed one, or an end before the start, is a 400 naming the parameter.
 * The answer is snake_case JSON: money in USD with six decimals, latency in milliseconds with three, rates with six.
 */
final class AnalyticsRoutes {
    static final String PATH = "/api/analytics";
    static final int DEFAULT_TOP = 10;
    static final int MAX_TOP = 100;
    static final Duration DEFAULT_RANGE = Duration.ofDays(7);

    /** Plain notation, so a DecimalNode keeps the scale it was given ({@code 12.500000}, never {@code 1.25E+1}). */
    private static final ObjectWriter WRITER = Body.MAPPER.writer()
            .with(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private final AuditLog audit;
    private final InstantSource clock;

    /**
     * @param audit the audit log (its calls wait while the database is still opening)
     * @param clock what "now" is for the default range
     */
    AnalyticsRoutes(AuditLog audit, InstantSource clock) {
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void register(JavalinConfig app) {
        app.routes.get(PATH, this::analytics);
    }

    private void analytics(Context ctx) throws JsonProcessingException {
        Optional<Instant> start = bound(ctx, "start_date", false);
        Optional<Instant> end = bound(ctx, "end_date", true);
        int top = top(ctx);
        Instant to = end.orElseGet(clock::instant);
        Instant from = start.orElseGet(() -> to.minus(DEFAULT_RANGE));
        if (to.isBefore(from)) {
            throw new InvalidRequest("'end_date' (" + to + (end.isEmpty() ? ", now by default" : "")
                    + ") is before 'start_date' (" + from + ")", "invalid_request", "end_date");
        }
        Services.json(ctx, 200, WRITER.writeValueAsBytes(describe(audit.analytics(from, to, top))));
    }

    /** A date's first instant (or, for an end, the next day's), or an instant as given; empty when absent. */
    private static Optional<Instant> bound(Context ctx, String param, boolean end) {
        String text = ctx.queryParam(param);
        return text == null || text.isBlank() ? Optional.empty()
                : Optional.of(QueryParameters.instant(text, param, end));
    }

    private static int top(Context ctx) {
        String text = ctx.queryParam("top");
        return text == null || text.isBlank() ? DEFAULT_TOP : QueryParameters.wholeNumber(text, "top", 1, MAX_TOP);
    }

    static ObjectNode describe(AuditAnalytics analytics) {
        ObjectNode root = Body.MAPPER.createObjectNode();
        root.put("object", "analytics");
        root.put("start", analytics.from().toString());
        root.put("end", analytics.to().toString());
        root.put("requests", analytics.requests());
        root.put("errors", analytics.errors());
        root.set("error_rate", rate(analytics.errors(), analytics.requests()));
        root.put("cached", analytics.cached());
        root.set("cache_hit_rate", rate(analytics.cached(), analytics.requests()));
        root.put("prompt_tokens", analytics.promptTokens());
        root.put("completion_tokens", analytics.completionTokens());
        root.put("total_tokens", analytics.totalTokens());
        root.set("cost_usd", usd(analytics.costMicros()));
        ObjectNode latency = root.putObject("latency_ms");
        latency.set("p50", millis(analytics.latency().p50Micros()));
        latency.set("p90", millis(analytics.latency().p90Micros()));
        latency.set("p95", millis(analytics.latency().p95Micros()));
        latency.set("p99", millis(analytics.latency().p99Micros()));
        ArrayNode providers = root.putArray("by_provider");
        for (AuditAnalytics.ByProvider p : analytics.providers()) {
            ObjectNode node = providers.addObject().put("provider", p.provider());
            figures(node, p.requests(), p.errors(), p.cached(), p.promptTokens(), p.completionTokens(),
                    p.costMicros());
        }
        models(root.putArray("by_model"), analytics.models());
        models(root.putArray("top_models"), analytics.topModels());
        callers(root.putArray("top_keys"), "key_id", analytics.topKeys());
        callers(root.putArray("top_users"), "user_id", analytics.topUsers());
        ArrayNode days = root.putArray("daily");
        for (AuditAnalytics.ByDay day : analytics.days()) {
            days.addObject()
                    .put("date", day.date().toString())
                    .put("requests", day.requests())
                    .put("errors", day.errors())
                    .put("cached", day.cached())
                    .set("cost_usd", usd(day.costMicros()));
        }
        return root;
    }

    private static void models(ArrayNode array, List<AuditAnalytics.ByModel> models) {
        for (AuditAnalytics.ByModel m : models) {
            ObjectNode node = array.addObject().put("provider", m.provider()).put("model", m.model());
            figures(node, m.requests(), m.errors(), m.cached(), m.promptTokens(), m.completionTokens(),
                    m.costMicros());
        }
    }

    private static void figures(ObjectNode node, long requests, long errors, long cached, long promptTokens,
                                long completionTokens, long costMicros) {
        node.put("requests", requests);
        node.put("errors", errors);
        node.put("cached", cached);
        node.put("prompt_tokens", promptTokens);
        node.put("completion_tokens", completionTokens);
        node.set("cost_usd", usd(costMicros));
    }

    private static void callers(ArrayNode array, String idField, List<AuditAnalytics.ByCaller> callers) {
        for (AuditAnalytics.ByCaller caller : callers) {
            array.addObject()
                    .put(idField, caller.id())
                    .put("requests", caller.requests())
                    .set("cost_usd", usd(caller.costMicros()));
        }
    }

    private static DecimalNode usd(long micros) {
        return DecimalNode.valueOf(BigDecimal.valueOf(micros, 6));
    }

    private static DecimalNode millis(long micros) {
        return DecimalNode.valueOf(BigDecimal.valueOf(micros, 3));
    }

    /** {@code part / whole} to six decimals, 0 when there is nothing to divide. */
    private static DecimalNode rate(long part, long whole) {
        BigDecimal rate = whole == 0 ? BigDecimal.ZERO
                : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 6, RoundingMode.HALF_EVEN);
        return DecimalNode.valueOf(rate.setScale(6, RoundingMode.UNNECESSARY));
    }
}
