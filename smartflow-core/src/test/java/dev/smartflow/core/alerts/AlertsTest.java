package dev.smartflow.core.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.budget.KeySpend;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertsTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
    private final InstantSource clock = now::get;
    private final Receiver receiver = new Receiver();
    private Alerts alerts;

    @AfterEach
    void close() {
        if (alerts != null) {
            alerts.close();
        }
        receiver.close();
    }

    /** Alerts to the receiver's Slack webhook, on the test clock, configured further by {@code configure}. */
    private Alerts alerts(UnaryOperator<Alerts.Builder> configure) {
        alerts = configure.apply(Alerts.builder().channel(AlertChannel.slack(receiver.url())).clock(clock)).build();
        return alerts;
    }

    private void advance(Duration duration) {
        now.updateAndGet(t -> t.plus(duration));
    }

    private static AuditRecord.Builder call(String provider) {
        return AuditRecord.builder("req-1", Instant.parse("2026-11-23T10:00:00Z"), "/v1/chat/completions", provider,
                "gpt-4o");
    }

    private static KeySpend spend(String periodKey, long spentMicros, long limitMicros) {
        return new KeySpend(KeyId.of("key_1"), "ci", BudgetPeriod.MONTHLY, periodKey, spentMicros,
                OptionalLong.of(limitMicros));
    }

    /** The header of the next Slack post: the alert's title. */
    private String nextTitle() throws InterruptedException {
        JsonNode body = receiver.next();
        return body.path("blocks").get(0).path("text").path("text").asText();
    }

    // --- delivery -----------------------------------------------------------------------------------------------

    @Test
    void aDuplicateWithinTheWindowIsSuppressedAndSentAgainAfterIt() throws Exception {
        // given
        alerts(b -> b.dedupeWindow(Duration.ofMinutes(10)));
        Alert alert = Alert.custom("Disk full", "node-3 is out of disk", Severity.CRITICAL);

        // when / then
        assertEquals(Alerts.Outcome.QUEUED, alerts.send(alert));
        advance(Duration.ofMinutes(9));
        assertEquals(Alerts.Outcome.SUPPRESSED, alerts.send(alert));
        advance(Duration.ofMinutes(1));
        assertEquals(Alerts.Outcome.QUEUED, alerts.send(alert));
        alerts.close();
        assertEquals(2, receiver.server.getRequestCount());
        assertEquals(new Alerts.Stats(2, 2, 0, 0, 1), alerts.stats());
    }

    @Test
    void differentAlertsAreNotDuplicates() {
        alerts(b -> b);

        assertEquals(Alerts.Outcome.QUEUED, alerts.send(Alert.custom("A", "one", Severity.INFO)));
        assertEquals(Alerts.Outcome.QUEUED, alerts.send(Alert.custom("A", "two", Severity.INFO)));
        assertEquals(Alerts.Outcome.QUEUED, alerts.send(Alert.custom("A", "one", Severity.WARNING)));
    }

    @Test
    void aFullQueueDropsTheAlertWithoutBlockingTheCaller() throws Exception {
        // given: one worker, busy on a post the receiver holds, and room for one more in the queue
        receiver.holdingFirst();
        alerts(b -> b.threads(1).queueCapacity(1));
        assertEquals(Alerts.Outcome.QUEUED, alerts.send(Alert.custom("first", "m", Severity.INFO)));
        assertTrue(receiver.firstArrived.await(10, TimeUnit.SECONDS));
        assertEquals(Alerts.Outcome.QUEUED, alerts.send(Alert.custom("second", "m", Severity.INFO)));

        // when
        Alerts.Outcome third = alerts.send(Alert.custom("third", "m", Severity.INFO));

        // then
        assertEquals(Alerts.Outcome.DROPPED, third);
        assertEquals(1, alerts.stats().dropped());
        receiver.release();
        alerts.close();
        assertEquals(2, receiver.server.getRequestCount());
        assertEquals(new Alerts.Stats(2, 2, 0, 1, 0), alerts.stats());
    }

    @Test
    void aDroppedAlertIsNotADuplicateOfItsRetry() throws Exception {
        // given: the worker is busy and the queue is full
        receiver.holdingFirst();
        alerts(b -> b.threads(1).queueCapacity(1));
        alerts.send(Alert.custom("first", "m", Severity.INFO));
        assertTrue(receiver.firstArrived.await(10, TimeUnit.SECONDS));
        alerts.send(Alert.custom("second", "m", Severity.INFO));
        Alert third = Alert.custom("third", "m", Severity.INFO);
        assertEquals(Alerts.Outcome.DROPPED, alerts.send(third));

        // when: the queue drains and the dropped alert is sent again
        receiver.release();
        receiver.take();
        receiver.take();

        // then
        assertEquals(Alerts.Outcome.QUEUED, alerts.send(third));
        assertEquals("third", Receiver.JSON.readTree(receiver.take().getBody().utf8()).path("blocks").get(0)
                .path("text").path("text").asText().replace(":information_source: ", ""));
    }

    @Test
    void aClosedServiceDropsAlertsAndRunsNoRules() {
        // given
        alerts(b -> b.slowRequest(Duration.ofSeconds(1)));
        alerts.close();

        // when
        Alerts.Outcome outcome = alerts.send(Alert.custom("late", "m", Severity.INFO));
        alerts.onRecord(call("openai").latencyMicros(5_000_000).build());

        // then
        assertEquals(Alerts.Outcome.DROPPED, outcome);
        assertEquals(new Alerts.Stats(0, 0, 0, 1, 0), alerts.stats());
    }

    @Test
    void aServiceWithoutChannelsIsRefused() {
        assertThrows(IllegalStateException.class, () -> Alerts.builder().build());
    }

    // --- SlowRequest --------------------------------------------------------------------------------------------

    @Test
    void aCallAtTheLatencyThresholdRaisesSlowRequest() throws Exception {
        // given
        alerts(b -> b.slowRequest(Duration.ofSeconds(20)));

        // when
        alerts.onRecord(call("openai").latencyMicros(20_000_000).keyId(KeyId.of("key_9")).build());

        // then
        JsonNode body = receiver.next();
        assertEquals(":warning: Slow request: openai/gpt-4o took 20.0 s",
                body.path("blocks").get(0).path("text").path("text").asText());
        assertTrue(body.path("blocks").get(1).path("text").path("text").asText().contains("threshold of 20.0 s"));
        assertTrue(body.path("blocks").get(2).path("fields").toString().contains("key_9"));
        assertTrue(body.path("blocks").get(3).path("elements").get(0).path("text").asText()
                .startsWith("Smartflow · SlowRequest · warning"));
    }

    @Test
    void aFastCallRaisesNothing() {
        alerts(b -> b.slowRequest(Duration.ofSeconds(20)));

        alerts.onRecord(call("openai").latencyMicros(19_999_999).build());

        assertEquals(0, alerts.stats().queued());
    }

    @Test
    void slowCallsOfOneModelAlertOncePerDedupeWindow() {
        alerts(b -> b.slowRequest(Duration.ofSeconds(1)).dedupeWindow(Duration.ofMinutes(5)));

        alerts.onRecord(call("openai").latencyMicros(2_000_000).build());
        alerts.onRecord(call("openai").latencyMicros(3_000_000).build());

        assertEquals(1, alerts.stats().queued());
        assertEquals(1, alerts.stats().suppressed());
    }

    @Test
    void aZeroLatencyThresholdTurnsSlowRequestOff() {
        alerts(b -> b.slowRequest(Duration.ZERO));

        alerts.onRecord(call("openai").latencyMicros(600_000_000).build());

        assertEquals(0, alerts.stats().queued());
    }

    // --- ProviderFailure ----------------------------------------------------------------------------------------

    @Test
    void anErrorRateAtTheThresholdWithEnoughCallsRaisesProviderFailure() throws Exception {
        // given: 50% over a minute, at least 4 calls
        alerts(b -> b.errorRate(0.5, Duration.ofMinutes(1), 4));
        alerts.onRecord(call("openai").build());
        alerts.onRecord(call("openai").build());
        alerts.onRecord(call("openai").failed(502, "upstream_error").build());
        assertEquals(0, alerts.stats().queued(), "3 calls are under the minimum");

        // when
        alerts.onRecord(call("openai").failed(504, "upstream_timeout").build());

        // then
        assertEquals(1, alerts.stats().queued());
        JsonNode body = receiver.next();
        assertEquals(":rotating_light: Provider openai failing: 50% of calls",
                body.path("blocks").get(0).path("text").path("text").asText());
        assertEquals("2 of the last 4 calls to openai failed within 1m (alert threshold 50%).",
                body.path("blocks").get(1).path("text").path("text").asText());
    }

    @Test
    void failuresUnderTheMinimumNumberOfCallsRaiseNothing() {
        alerts(b -> b.errorRate(0.5, Duration.ofMinutes(1), 4));

        for (int i = 0; i < 3; i++) {
            alerts.onRecord(call("openai").failed(502, "upstream_error").build());
        }

        assertEquals(0, alerts.stats().queued());
    }

    @Test
    void anErrorRateUnderTheThresholdRaisesNothing() {
        alerts(b -> b.errorRate(0.5, Duration.ofMinutes(1), 4));

        for (int i = 0; i < 10; i++) {
            alerts.onRecord(call("openai").build());
        }
        for (int i = 0; i < 4; i++) {
            alerts.onRecord(call("openai").failed(502, "upstream_error").build());
        }

        assertEquals(0, alerts.stats().queued());
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        // given: a spike, alerted
        alerts(b -> b.errorRate(0.5, Duration.ofMinutes(1), 4).dedupeWindow(Duration.ZERO));
        for (int i = 0; i < 4; i++) {
            alerts.onRecord(call("openai").failed(502, "upstream_error").build());
        }
        assertEquals(1, alerts.stats().queued());

        // when: a minute on, 3 successes and 1 failure
        advance(Duration.ofSeconds(61));
        for (int i = 0; i < 3; i++) {
            alerts.onRecord(call("openai").build());
        }
        alerts.onRecord(call("openai").failed(502, "upstream_error").build());

        // then: 1 in 4 is under 50%
        assertEquals(1, alerts.stats().queued());
    }

    @Test
    void callsRefusedBeforeAnyProviderAndClientErrorsAreNotProviderFailures() {
        alerts(b -> b.errorRate(0.5, Duration.ofMinutes(1), 4));

        for (int i = 0; i < 5; i++) {
            alerts.onRecord(call("none").failed(401, "invalid_api_key").build());
            alerts.onRecord(call("openai").failed(400, "invalid_request_error").build());
        }

        assertEquals(0, alerts.stats().queued());
    }

    @Test
    void eachProviderHasItsOwnWindow() {
        alerts(b -> b.errorRate(0.5, Duration.ofMinutes(1), 4));

        for (int i = 0; i < 4; i++) {
            alerts.onRecord(call("anthropic").build());
        }
        for (int i = 0; i < 3; i++) {
            alerts.onRecord(call("openai").failed(502, "upstream_error").build());
        }

        assertEquals(0, alerts.stats().queued());
    }

    // --- BudgetThreshold: keys ----------------------------------------------------------------------------------

    @Test
    void eachKeyThresholdFiresOncePerPeriod() throws Exception {
        // given
        alerts(b -> b.budgetThresholds(50, 100).dedupeWindow(Duration.ZERO));

        // when / then
        alerts.onSpend(spend("2026-11", 4_000_000, 10_000_000));
        assertEquals(0, alerts.stats().queued());
        alerts.onSpend(spend("2026-11", 5_000_000, 10_000_000));
        assertEquals(":warning: Budget 50% reached: key ci", nextTitle());
        alerts.onSpend(spend("2026-11", 7_000_000, 10_000_000));
        assertEquals(1, alerts.stats().queued());
        alerts.onSpend(spend("2026-11", 10_000_000, 10_000_000));
        JsonNode body = receiver.next();
        assertEquals(":rotating_light: Budget 100% reached: key ci",
                body.path("blocks").get(0).path("text").path("text").asText());
        assertEquals("Virtual key 'ci' (key_1) has spent $10.00 of its monthly budget of $10.00 in period 2026-11.",
                body.path("blocks").get(1).path("text").path("text").asText());
        assertEquals(2, alerts.stats().queued());
    }

    @Test
    void spendJumpingPastSeveralThresholdsSendsOnlyTheHighest() throws Exception {
        alerts(b -> b.budgetThresholds(50, 80, 100));

        alerts.onSpend(spend("2026-11", 12_000_000, 10_000_000));

        assertEquals(":rotating_light: Budget 100% reached: key ci", nextTitle());
        assertEquals(1, alerts.stats().queued());
    }

    @Test
    void aNewPeriodArmsTheThresholdsAgain() {
        alerts(b -> b.budgetThresholds(50));

        alerts.onSpend(spend("2026-11", 6_000_000, 10_000_000));
        alerts.onSpend(spend("2026-12", 6_000_000, 10_000_000));

        assertEquals(2, alerts.stats().queued());
    }

    @Test
    void aResetPeriodArmsTheThresholdsAgain() {
        alerts(b -> b.budgetThresholds(50).dedupeWindow(Duration.ZERO));

        alerts.onSpend(spend("2026-11", 6_000_000, 10_000_000));
        alerts.onSpend(spend("2026-11", 0, 10_000_000));
        alerts.onSpend(spend("2026-11", 6_000_000, 10_000_000));

        assertEquals(2, alerts.stats().queued());
    }

    @Test
    void aKeyWithoutABudgetRaisesNothing() {
        alerts(b -> b);

        alerts.onSpend(new KeySpend(KeyId.of("key_1"), "ci", BudgetPeriod.MONTHLY, "2026-11", 99_000_000,
                OptionalLong.empty()));

        assertEquals(0, alerts.stats().queued());
    }

    // --- BudgetThreshold: providers -----------------------------------------------------------------------------

    @Test
    void aProviderBudgetThresholdFiresFromTheCostOfItsCalls() throws Exception {
        // given: $1 a day for openai, alert at 80%
        alerts(b -> b.budgetThresholds(80).providerBudget("openai", BudgetPeriod.DAILY, 1_000_000));

        // when / then
        alerts.onRecord(call("openai").costMicros(500_000).build());
        alerts.onRecord(call("anthropic").costMicros(900_000).build());
        assertEquals(0, alerts.stats().queued());
        alerts.onRecord(call("openai").costMicros(300_000).build());
        JsonNode body = receiver.next();
        assertEquals(":warning: Budget 80% reached: provider openai",
                body.path("blocks").get(0).path("text").path("text").asText());
        assertEquals("Calls to openai have cost $0.80 of its daily budget of $1.00 in period 2026-11-23 (as seen by"
                + " this gateway instance).", body.path("blocks").get(1).path("text").path("text").asText());
    }

    @Test
    void aProviderBudgetStartsAgainWithItsPeriod() {
        // given
        alerts(b -> b.budgetThresholds(80).providerBudget("openai", BudgetPeriod.DAILY, 1_000_000));
        alerts.onRecord(call("openai").costMicros(700_000).build());

        // when: the next UTC day
        advance(Duration.ofDays(1));
        alerts.onRecord(call("openai").costMicros(700_000).build());

        // then
        assertEquals(0, alerts.stats().queued());
    }

    @Test
    void aProviderBudgetCannotBeLifetimeOrDuplicated() {
        Alerts.Builder builder = Alerts.builder().providerBudget("openai", BudgetPeriod.MONTHLY, 1_000_000);

        assertThrows(IllegalArgumentException.class,
                () -> builder.providerBudget("openai", BudgetPeriod.MONTHLY, 2_000_000));
        assertThrows(IllegalArgumentException.class,
                () -> builder.providerBudget("anthropic", BudgetPeriod.LIFETIME, 2_000_000));
        assertThrows(IllegalArgumentException.class, () -> builder.budgetThresholds(0));
    }

    @Test
    void dollarsShowCentsOrEveryMicroDollar() {
        assertEquals("$10.00", Alerts.usd(10_000_000));
        assertEquals("$0.80", Alerts.usd(800_000));
        assertEquals("$0.000003", Alerts.usd(3));
        assertEquals("$1.234567", Alerts.usd(1_234_567));
    }
}
