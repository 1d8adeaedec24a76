package dev.smartflow.core.alerts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.net.URI;
import java.time.Instant;

/**
 * Discord's execute-webhook body: {@code content} (a one-line summary, at most 2000 characters), one embed (title at
 * most 256, description at most 4096, colour by severity, up to 25 inline fields of at most 1024, footer and ISO-8601
 * timestamp), and {@code allowed_mentions} with nothing to parse, so an alert's text can never ping
 * {@code @everyone}, a role or a user.
 */
final class DiscordChannel extends AlertChannel {
    private static final int CONTENT_MAX = 2000;
    private static final int TITLE_MAX = 256;
    private static final int DESCRIPTION_MAX = 4096;
    private static final int FIELD_NAME_MAX = 256;
    private static final int FIELD_VALUE_MAX = 1024;
    private static final int FIELDS_MAX = 25;

    DiscordChannel(URI webhook) {
        super(webhook);
    }

    @Override
    public String name() {
        return "discord";
    }

    @Override
    ObjectNode payload(Alert alert, Instant at) {
        ObjectNode root = Body.MAPPER.createObjectNode();
        root.put("content", fit("**[" + alert.severity().id() + "] " + alert.title() + "**", CONTENT_MAX));
        ObjectNode embed = root.putArray("embeds").addObject();
        embed.put("title", fit(alert.title(), TITLE_MAX));
        embed.put("description", fit(alert.message(), DESCRIPTION_MAX));
        embed.put("color", color(alert.severity()));
        if (!alert.facts().isEmpty()) {
            ArrayNode fields = embed.putArray("fields");
            alert.facts().stream().limit(FIELDS_MAX).forEach(fact -> fields.addObject()
                    .put("name", fit(fact.name(), FIELD_NAME_MAX))
                    .put("value", fact.value().isEmpty() ? "-" : fit(fact.value(), FIELD_VALUE_MAX))
                    .put("inline", true));
        }
        embed.putObject("footer").put("text", "Smartflow · " + alert.type().label());
        embed.put("timestamp", at.toString());
        root.putObject("allowed_mentions").putArray("parse");
        return root;
    }

    /** An RGB colour as the integer Discord wants. */
    static int color(Severity severity) {
        return switch (severity) {
            case INFO -> 0x1E88E5;
            case WARNING -> 0xF9A825;
            case CRITICAL -> 0xD32F2F;
        };
    }
}
