package dev.smartflow.core.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Function;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertChannelTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:15:30Z");
    private static final Alert ALERT = new Alert(AlertType.BUDGET_THRESHOLD, Severity.CRITICAL,
            "Budget 100% reached: key ci", "Virtual key 'ci' (key_1) has spent $10.00 of its monthly budget.",
            List.of(new Alert.Fact("key_id", "key_1"), new Alert.Fact("spent", "$10.00")), "budget:key_1");

    private final Receiver receiver = new Receiver();

    @AfterEach
    void close() {
        receiver.close();
    }

    /** Sends {@code alert} through an {@link Alerts} with the one channel and returns what the receiver got. */
    private RecordedRequest deliver(Function<URI, AlertChannel> channel, Alert alert) throws InterruptedException {
        try (Alerts alerts = Alerts.builder().channel(channel.apply(receiver.url()))
                .clock(InstantSource.fixed(NOW)).build()) {
            assertEquals(Alerts.Outcome.QUEUED, alerts.send(alert));
            return receiver.take();
        }
    }

    private static JsonNode json(RecordedRequest request) throws Exception {
        return Receiver.JSON.readTree(request.getBody().utf8());
    }

    @Test
    void slackGetsAFallbackTextAndBlocks() throws Exception {
        // when
        RecordedRequest request = deliver(AlertChannel::slack, ALERT);

        // then
        assertEquals("POST", request.getMethod());
        assertEquals("/services/T0001/B0001/s3cr3tT0k3n", request.getUrl().encodedPath());
        assertTrue(request.getHeaders().get("Content-Type").startsWith("application/json"));
        JsonNode body = json(request);
        assertEquals(":rotating_light: [critical] Budget 100% reached: key ci: Virtual key 'ci' (key_1) has spent"
                + " $10.00 of its monthly budget.", body.path("text").asText());
        JsonNode blocks = body.path("blocks");
        assertEquals(4, blocks.size());
        assertEquals("header", blocks.get(0).path("type").asText());
        assertEquals("plain_text", blocks.get(0).path("text").path("type").asText());
        assertEquals(":rotating_light: Budget 100% reached: key ci", blocks.get(0).path("text").path("text").asText());
        assertEquals("section", blocks.get(1).path("type").asText());
        assertEquals("mrkdwn", blocks.get(1).path("text").path("type").asText());
        assertEquals(ALERT.message(), blocks.get(1).path("text").path("text").asText());
        JsonNode fields = blocks.get(2).path("fields");
        assertEquals(2, fields.size());
        assertEquals("*key_id*\nkey_1", fields.get(0).path("text").asText());
        assertEquals("mrkdwn", fields.get(0).path("type").asText());
        assertEquals("context", blocks.get(3).path("type").asText());
        assertEquals("Smartflow · BudgetThreshold · critical · 2026-11-23T10:15:30Z",
                blocks.get(3).path("elements").get(0).path("text").asText());
    }

    @Test
    void slackMarkupInAlertTextIsEscapedSoItCannotPingTheChannel() throws Exception {
        // given
        Alert alert = Alert.custom("Hello", "<!channel> tom & jerry <https://evil|click>", Severity.INFO);

        // when
        JsonNode body = json(deliver(AlertChannel::slack, alert));

        // then
        assertEquals("&lt;!channel&gt; tom &amp; jerry &lt;https://evil|click&gt;",
                body.path("blocks").get(1).path("text").path("text").asText());
        assertFalse(body.path("text").asText().contains("<!channel>"));
    }

    @Test
    void slackHeaderIsCutToItsLimit() throws Exception {
        Alert alert = Alert.custom("x".repeat(400), "long title", Severity.INFO);

        JsonNode header = json(deliver(AlertChannel::slack, alert)).path("blocks").get(0).path("text");

        assertEquals(150, header.path("text").asText().length());
        assertTrue(header.path("text").asText().endsWith("…"));
    }

    @Test
    void teamsGetsAMessageWithAnAdaptiveCard() throws Exception {
        // when
        JsonNode body = json(deliver(AlertChannel::teams, ALERT));

        // then
        assertEquals("message", body.path("type").asText());
        JsonNode attachment = body.path("attachments").get(0);
        assertEquals("application/vnd.microsoft.card.adaptive", attachment.path("contentType").asText());
        assertTrue(attachment.has("contentUrl") && attachment.path("contentUrl").isNull());
        JsonNode card = attachment.path("content");
        assertEquals("AdaptiveCard", card.path("type").asText());
        assertEquals("1.4", card.path("version").asText());
        assertEquals("http://adaptivecards.io/schemas/adaptive-card.json", card.path("$schema").asText());
        JsonNode title = card.path("body").get(0);
        assertEquals("TextBlock", title.path("type").asText());
        assertEquals("Budget 100% reached: key ci", title.path("text").asText());
        assertEquals("Bolder", title.path("weight").asText());
        assertEquals("Attention", title.path("color").asText());
        assertEquals(ALERT.message(), card.path("body").get(1).path("text").asText());
        JsonNode facts = card.path("body").get(2);
        assertEquals("FactSet", facts.path("type").asText());
        assertEquals("key_id", facts.path("facts").get(0).path("title").asText());
        assertEquals("key_1", facts.path("facts").get(0).path("value").asText());
        assertEquals("Smartflow · BudgetThreshold · critical · 2026-11-23T10:15:30Z",
                card.path("body").get(3).path("text").asText());
    }

    @Test
    void discordGetsContentAndAnEmbedWithMentionsDisabled() throws Exception {
        // when
        JsonNode body = json(deliver(AlertChannel::discord, ALERT));

        // then
        assertEquals("**[critical] Budget 100% reached: key ci**", body.path("content").asText());
        JsonNode embed = body.path("embeds").get(0);
        assertEquals("Budget 100% reached: key ci", embed.path("title").asText());
        assertEquals(ALERT.message(), embed.path("description").asText());
        assertEquals(0xD32F2F, embed.path("color").asInt());
        assertEquals("key_id", embed.path("fields").get(0).path("name").asText());
        assertEquals("key_1", embed.path("fields").get(0).path("value").asText());
        assertTrue(embed.path("fields").get(0).path("inline").asBoolean());
        assertEquals("Smartflow · BudgetThreshold", embed.path("footer").path("text").asText());
        assertEquals("2026-11-23T10:15:30Z", embed.path("timestamp").asText());
        assertTrue(body.path("allowed_mentions").path("parse").isArray());
        assertEquals(0, body.path("allowed_mentions").path("parse").size());
    }

    @Test
    void discordEmbedIsCutToItsLimits() throws Exception {
        Alert alert = Alert.custom("t".repeat(300), "m".repeat(5000), Severity.WARNING);

        JsonNode embed = json(deliver(AlertChannel::discord, alert)).path("embeds").get(0);

        assertEquals(256, embed.path("title").asText().length());
        assertEquals(4096, embed.path("description").asText().length());
        assertEquals(0xF9A825, embed.path("color").asInt());
    }

    @Test
    void everyChannelGetsEachAlertInItsOwnFormat() throws Exception {
        // given
        try (Receiver teams = new Receiver(); Receiver discord = new Receiver();
             Alerts alerts = Alerts.builder().channel(AlertChannel.slack(receiver.url()))
                     .channel(AlertChannel.teams(teams.url())).channel(AlertChannel.discord(discord.url()))
                     .build()) {
            // when
            alerts.send(ALERT);

            // then
            assertTrue(receiver.next().has("blocks"));
            assertEquals("message", teams.next().path("type").asText());
            assertTrue(discord.next().has("embeds"));
            assertEquals(List.of("slack", "teams", "discord"), alerts.channels());
        }
    }

    @Test
    void aWebhookUrlIsNeverShown() {
        // given
        AlertChannel channel = AlertChannel.slack(URI.create("https://hooks.slack.com/services/T1/B1/s3cr3t"));

        // then
        assertEquals("slack webhook", channel.toString());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> AlertChannel.discord(URI.create("ftp://discord.example/api/webhooks/1/s3cr3t")));
        assertFalse(bad.getMessage().contains("s3cr3t"));
    }

    @Test
    void aFailingWebhookIsCountedNotRetried() throws Exception {
        // given
        receiver.status = 500;
        Alerts alerts = Alerts.builder().channel(AlertChannel.slack(receiver.url())).build();

        // when
        alerts.send(ALERT);
        receiver.take();
        alerts.close();

        // then
        assertEquals(new Alerts.Stats(1, 0, 1, 0, 0), alerts.stats());
        assertEquals(1, receiver.server.getRequestCount());
    }

    @Test
    void anUnreachableWebhookIsCounted() {
        // given: nothing listens there once the receiver is closed
        URI url = receiver.url();
        receiver.close();
        Alerts alerts = Alerts.builder().channel(AlertChannel.teams(url)).requestTimeout(Duration.ofSeconds(2))
                .build();

        // when
        alerts.send(ALERT);
        alerts.close();

        // then
        assertEquals(new Alerts.Stats(1, 0, 1, 0, 0), alerts.stats());
    }
}
