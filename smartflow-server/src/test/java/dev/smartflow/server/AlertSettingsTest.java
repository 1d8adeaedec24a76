package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.alerts.Alerts;
import dev.smartflow.core.spi.BudgetPeriod;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertSettingsTest {
    @TempDir
    Path dir;

    private static AlertSettings fromEnv(Map<String, String> env) {
        return ServerConfig.load(Optional.empty(), env).alerts();
    }

    @Test
    void alertsAreOffByDefaultWithTheRulesDefaults() {
        AlertSettings alerts = fromEnv(Map.of());

        assertFalse(alerts.enabled());
        assertFalse(alerts.active());
        assertEquals(List.of(80, 100), alerts.budgetThresholds());
        assertEquals(0.5, alerts.errorRate());
        assertEquals(Duration.ofMinutes(5), alerts.errorWindow());
        assertEquals(20, alerts.errorMinRequests());
        assertEquals(Duration.ofSeconds(30), alerts.slowRequest());
        assertEquals(Duration.ofMinutes(10), alerts.dedupeWindow());
        assertEquals(256, alerts.queueSize());
        assertTrue(alerts.build(InstantSource.system()).isEmpty());
    }

    @Test
    void theEnvironmentSetsEveryKey() {
        AlertSettings alerts = fromEnv(Map.ofEntries(
                Map.entry("SMARTFLOW_ALERTS_ENABLED", "true"),
                Map.entry("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T1/B1/s3cr3t"),
                Map.entry("TEAMS_WEBHOOK_URL", "https://example.webhook.office.com/webhookb2/s3cr3t"),
                Map.entry("DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/1/s3cr3t"),
                Map.entry("SMARTFLOW_ALERTS_BUDGET_THRESHOLDS", "50, 90%,100"),
                Map.entry("SMARTFLOW_ALERTS_PROVIDER_BUDGETS", "openai:monthly:1000,groq:daily:2.5"),
                Map.entry("SMARTFLOW_ALERTS_ERROR_RATE", "0.25"),
                Map.entry("SMARTFLOW_ALERTS_ERROR_WINDOW", "2m"),
                Map.entry("SMARTFLOW_ALERTS_ERROR_MIN_REQUESTS", "5"),
                Map.entry("SMARTFLOW_ALERTS_SLOW_REQUEST", "20s"),
                Map.entry("SMARTFLOW_ALERTS_DEDUPE_WINDOW", "15m"),
                Map.entry("SMARTFLOW_ALERTS_QUEUE_SIZE", "32")));

        assertTrue(alerts.active());
        assertEquals(Optional.of(URI.create("https://hooks.slack.com/services/T1/B1/s3cr3t")), alerts.slack());
        assertEquals(List.of(50, 90, 100), alerts.budgetThresholds());
        assertEquals(List.of(new Alerts.ProviderBudget("openai", BudgetPeriod.MONTHLY, 1_000_000_000),
                new Alerts.ProviderBudget("groq", BudgetPeriod.DAILY, 2_500_000)), alerts.providerBudgets());
        assertEquals(0.25, alerts.errorRate());
        assertEquals(Duration.ofMinutes(2), alerts.errorWindow());
        assertEquals(5, alerts.errorMinRequests());
        assertEquals(Duration.ofSeconds(20), alerts.slowRequest());
        assertEquals(Duration.ofMinutes(15), alerts.dedupeWindow());
        assertEquals(32, alerts.queueSize());
        try (Alerts built = alerts.build(InstantSource.system()).orElseThrow()) {
            assertEquals(List.of("slack", "teams", "discord"), built.channels());
        }
    }

    @Test
    void theFileSetsTheAlertsSectionAndTheEnvironmentWins() throws Exception {
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, """
                alerts:
                  enabled: true
                  discord_webhook_url: https://discord.com/api/webhooks/1/from-file
                  budget_thresholds: [75]
                  provider_budgets:
                    anthropic: {daily_usd: 20, monthly_usd: 400}
                  slow_request: 45s
                """);

        AlertSettings alerts = ServerConfig.load(Optional.of(file), Map.of("SMARTFLOW_ALERTS_SLOW_REQUEST", "10s"))
                .alerts();

        assertTrue(alerts.active());
        assertEquals(Optional.of(URI.create("https://discord.com/api/webhooks/1/from-file")), alerts.discord());
        assertEquals(List.of(75), alerts.budgetThresholds());
        assertEquals(List.of(new Alerts.ProviderBudget("anthropic", BudgetPeriod.DAILY, 20_000_000),
                new Alerts.ProviderBudget("anthropic", BudgetPeriod.MONTHLY, 400_000_000)), alerts.providerBudgets());
        assertEquals(Duration.ofSeconds(10), alerts.slowRequest());
    }

    @Test
    void enabledWithoutAWebhookIsNotActive() {
        AlertSettings alerts = fromEnv(Map.of("SMARTFLOW_ALERTS_ENABLED", "true"));

        assertTrue(alerts.enabled());
        assertFalse(alerts.active());
    }

    @Test
    void webhookUrlsAreMaskedInTheConfigSummary() {
        ServerConfig config = ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_ALERTS_ENABLED", "true",
                "SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T1/B1/s3cr3t"));

        assertFalse(config.toString().contains("s3cr3t"));
        assertTrue(config.toString().contains("slack=██"));
    }

    @Test
    void badValuesAreRefusedWithTheKeyNamedAndNoSecretRepeated() {
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> fromEnv(Map.of("SLACK_WEBHOOK_URL", "hooks.slack.com/services/s3cr3t")));
        assertTrue(url.getMessage().contains("SLACK_WEBHOOK_URL"));
        assertFalse(url.getMessage().contains("s3cr3t"));

        assertThrows(IllegalArgumentException.class,
                () -> fromEnv(Map.of("SMARTFLOW_ALERTS_ENABLED", "maybe")));
        assertThrows(IllegalArgumentException.class,
                () -> fromEnv(Map.of("SMARTFLOW_ALERTS_BUDGET_THRESHOLDS", "0")));
        assertThrows(IllegalArgumentException.class,
                () -> fromEnv(Map.of("SMARTFLOW_ALERTS_PROVIDER_BUDGETS", "openai:yearly:5")));
        assertThrows(IllegalArgumentException.class,
                () -> fromEnv(Map.of("SMARTFLOW_ALERTS_PROVIDER_BUDGETS", "openai:daily:-5")));
        assertThrows(IllegalArgumentException.class,
                () -> fromEnv(Map.of("SMARTFLOW_ALERTS_ERROR_RATE", "1.5")));
        assertThrows(IllegalArgumentException.class,
                () -> fromEnv(Map.of("SMARTFLOW_ALERTS_QUEUE_SIZE", "0")));
    }
}
