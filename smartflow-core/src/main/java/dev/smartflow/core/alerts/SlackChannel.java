package dev.smartflow.core.alerts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.net.URI;
import java.time.Instant;

/**
 * Slack's incoming-webhook message: {@code text} (the notification and fallback line) and Block Kit {@code blocks}: a
 * header (plain text, at most 150 characters), a section with the message (mrkdwn, at most 3000), a section of up to
 * ten fact fields, and a context line. Slack reads {@code &}, {@code <} and {@code >} as markup ({@code <!channel>}
 * pings everyone), so text from alerts is escaped before it goes in.
 */
final class SlackChannel extends AlertChannel {
    private static final int HEADER_MAX = 150;
    private static final int SECTION_MAX = 3000;
    private static final int FIELD_MAX = 2000;
    private static final int FIELDS_MAX = 10;

    SlackChannel(URI webhook) {
        super(webhook);
    }

    @Override
    public String name() {
        return "slack";
    }

    @Override
    ObjectNode payload(Alert alert, Instant at) {
        ObjectNode root = Body.MAPPER.createObjectNode();
        root.put("text", fit(escape(emoji(alert.severity()) + " [" + alert.severity().id() + "] " + alert.title()
                + ": " + alert.message()), SECTION_MAX));
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("emoji", true)
                .put("text", fit(emoji(alert.severity()) + " " + alert.title(), HEADER_MAX));
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
                .put("text", fit(escape(alert.message()), SECTION_MAX));
        if (!alert.facts().isEmpty()) {
            ArrayNode fields = blocks.addObject().put("type", "section").putArray("fields");
            alert.facts().stream().limit(FIELDS_MAX).forEach(fact -> fields.addObject().put("type", "mrkdwn")
                    .put("text", fit("*" + escape(fact.name()) + "*\n" + escape(fact.value()), FIELD_MAX)));
        }
        blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", fit(escape(footer(alert, at)), FIELD_MAX));
        return root;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String emoji(Severity severity) {
        return switch (severity) {
            case INFO -> ":information_source:";
            case WARNING -> ":warning:";
            case CRITICAL -> ":rotating_light:";
        };
    }
}
