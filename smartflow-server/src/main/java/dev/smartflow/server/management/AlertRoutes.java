package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.alerts.Alert;
import dev.smartflow.core.alerts.Alerts;
import dev.smartflow.core.alerts.Severity;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.server.http.ErrorBody;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /api/alerts}: a custom alert, {@code {"title","message","severity"}} (severity {@code info},
 * {@code warning} (the default) or {@code critical}), sent to every configured webhook. Answers 202 with
 * {@code {"status":"queued"}}, or {@code "suppressed"} when the same alert went out within the dedupe window; 400 for
 * a bad body; 409 when alerts are not enabled; 503 when the delivery queue is full. {@code GET /api/alerts} shows the
 * channels (names only: webhook URLs are secrets) and the delivery counts.
 */
final class AlertRoutes {
    private static final String PATH = "/api/alerts";
    static final int MAX_TITLE = 256;
    static final int MAX_MESSAGE = 4000;

    private final Optional<Alerts> alerts;

    AlertRoutes(Optional<Alerts> alerts) {
        this.alerts = alerts;
    }

    void register(JavalinConfig app) {
        app.routes.post(PATH, this::send);
        app.routes.get(PATH, this::status);
    }

    private void send(Context ctx) {
        Alert alert = parse(ctx);
        if (alerts.isEmpty()) {
            disabled(ctx);
            return;
        }
        switch (alerts.get().send(alert)) {
            case QUEUED -> accepted(ctx, "queued");
            case SUPPRESSED -> accepted(ctx, "suppressed");
            case DROPPED -> Services.json(ctx, 503, ErrorBody.of("the alert queue is full; try again later",
                    "server_error", "alerts_queue_full", null));
        }
    }

    private void status(Context ctx) {
        ObjectNode node = Body.MAPPER.createObjectNode();
        node.put("enabled", alerts.isPresent());
        ArrayNode channels = node.putArray("channels");
        alerts.ifPresent(a -> a.channels().forEach(channels::add));
        alerts.ifPresent(a -> {
            Alerts.Stats stats = a.stats();
            node.putObject("deliveries").put("queued", stats.queued()).put("delivered", stats.delivered())
                    .put("failed", stats.failed()).put("dropped", stats.dropped())
                    .put("suppressed", stats.suppressed());
        });
        Services.json(ctx, 200, Body.of(node).bytes());
    }

    private static void accepted(Context ctx, String status) {
        ObjectNode node = Body.MAPPER.createObjectNode().put("status", status);
        Services.json(ctx, 202, Body.of(node).bytes());
    }

    private static void disabled(Context ctx) {
        Services.json(ctx, 409, ErrorBody.of("alerts are not enabled: set SMARTFLOW_ALERTS_ENABLED=true and a"
                + " webhook URL (SLACK_WEBHOOK_URL, TEAMS_WEBHOOK_URL or DISCORD_WEBHOOK_URL)",
                "invalid_request_error", "alerts_disabled", null));
    }

    /** The body as a custom alert, or a 400 naming what is wrong. */
    static Alert parse(Context ctx) {
        JsonNode body = RequestJson.object(ctx);
        String title = text(body, "title", MAX_TITLE);
        String message = text(body, "message", MAX_MESSAGE);
        Severity severity = Severity.WARNING;
        JsonNode value = body.get("severity");
        if (value != null && !value.isNull()) {
            severity = (value.isTextual() ? Severity.parse(value.asText()) : Optional.<Severity>empty())
                    .orElseThrow(() -> new InvalidRequest("'severity' must be one of info, warning, critical",
                            "invalid_request", "severity"));
        }
        return Alert.custom(title, message, severity);
    }

    private static String text(JsonNode body, String field, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidRequest("missing required parameter '" + field + "'", "invalid_request", field);
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidRequest("'" + field + "' must be a non-empty string", "invalid_request", field);
        }
        if (value.asText().length() > max) {
            throw new InvalidRequest(String.format(Locale.ROOT, "'%s' must be at most %d characters", field, max),
                    "invalid_request", field);
        }
        return value.asText().strip();
    }
}
