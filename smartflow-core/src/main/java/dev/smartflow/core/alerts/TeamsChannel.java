package dev.smartflow.core.alerts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.net.URI;
import java.time.Instant;

/**
 * Microsoft Teams' webhook message: {@code {"type":"message","attachments":[...]}} with one Adaptive Card (schema
 * version 1.4, which Teams renders on every client): the title as a bold text block coloured by severity, the message,
 * a fact set, and a subtle footer. Both the classic incoming webhooks and Workflows webhooks accept this shape.
 */
final class TeamsChannel extends AlertChannel {
    static final String CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
    private static final String SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";

    TeamsChannel(URI webhook) {
        super(webhook);
    }

    @Override
    public String name() {
        return "teams";
    }

    @Override
    ObjectNode payload(Alert alert, Instant at) {
        ObjectNode root = Body.MAPPER.createObjectNode();
        root.put("type", "message");
        ObjectNode attachment = root.putArray("attachments").addObject();
        attachment.put("contentType", CARD_CONTENT_TYPE);
        attachment.putNull("contentUrl");
        ObjectNode card = attachment.putObject("content");
        card.put("$schema", SCHEMA).put("type", "AdaptiveCard").put("version", "1.4");
        ArrayNode body = card.putArray("body");
        body.addObject().put("type", "TextBlock").put("text", alert.title()).put("weight", "Bolder")
                .put("size", "Medium").put("color", color(alert.severity())).put("wrap", true);
        body.addObject().put("type", "TextBlock").put("text", alert.message()).put("wrap", true);
        if (!alert.facts().isEmpty()) {
            ArrayNode facts = body.addObject().put("type", "FactSet").putArray("facts");
            alert.facts().forEach(fact -> facts.addObject().put("title", fact.name()).put("value", fact.value()));
        }
        body.addObject().put("type", "TextBlock").put("text", footer(alert, at)).put("isSubtle", true)
                .put("size", "Small").put("wrap", true);
        return root;
    }

    /** Adaptive Cards' named text colours. */
    private static String color(Severity severity) {
        return switch (severity) {
            case INFO -> "Accent";
            case WARNING -> "Warning";
            case CRITICAL -> "Attention";
        };
    }
}
