package dev.smartflow.core.alerts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Where alerts go: a chat webhook, each speaking its service's own message format. Slack (an incoming webhook:
 * {@code text} plus Block Kit {@code blocks}), Microsoft Teams (an incoming or Workflows webhook: a {@code message}
 * carrying an Adaptive Card) and Discord (a webhook: {@code content} plus an embed, with mentions disabled).
 *
 * <pre>{@code
 * Alerts alerts = Alerts.builder()
 *         .channel(AlertChannel.slack(URI.create(System.getenv("SLACK_WEBHOOK_URL"))))
 *         .build();
 * }</pre>
 *
 * <p>A webhook URL is a secret (whoever has it can post to the channel): {@link #toString()} shows only the channel's
 * name, and nothing here logs the URL.
 */
public abstract sealed class AlertChannel permits SlackChannel, TeamsChannel, DiscordChannel {
    private final URI webhook;

    AlertChannel(URI webhook) {
        Objects.requireNonNull(webhook, "webhook");
        String scheme = webhook.getScheme() == null ? "" : webhook.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || webhook.getHost() == null) {
            // the URL itself stays out of the message: it is a secret
            throw new IllegalArgumentException("a " + getClass().getSimpleName().replace("Channel", "")
                    + " webhook must be an absolute http(s) URL");
        }
        this.webhook = webhook;
    }

    /** A Slack incoming webhook. */
    public static AlertChannel slack(URI webhook) {
        return new SlackChannel(webhook);
    }

    /** A Microsoft Teams incoming webhook or Workflows ("post to a channel when a webhook request is received"). */
    public static AlertChannel teams(URI webhook) {
        return new TeamsChannel(webhook);
    }

    /** A Discord channel webhook. */
    public static AlertChannel discord(URI webhook) {
        return new DiscordChannel(webhook);
    }

    /** {@code slack}, {@code teams} or {@code discord}. */
    public abstract String name();

    /** The JSON body that posts {@code alert}, raised at {@code at}, to this channel. */
    abstract ObjectNode payload(Alert alert, Instant at);

    final URI webhook() {
        return webhook;
    }

    @Override
    public final String toString() {
        return name() + " webhook";
    }

    /** The footer line every channel shows: where the alert came from, what it is and when. */
    static String footer(Alert alert, Instant at) {
        return "Smartflow · " + alert.type().label() + " · " + alert.severity().id() + " · " + at;
    }

    /** {@code text} cut to at most {@code max} characters, marked with an ellipsis when cut; never splits a pair. */
    static String fit(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
