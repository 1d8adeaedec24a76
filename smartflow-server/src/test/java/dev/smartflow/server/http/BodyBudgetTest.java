package dev.smartflow.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BodyBudgetTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void aBodyIsChargedFiveTimesItsBytesAndReleasedOnClose() {
        BodyBudget budget = new BodyBudget(64 * MIB, Duration.ZERO);

        try (BodyBudget.Charge charge = budget.admit(MIB)) {
            assertEquals(5 * MIB, charge.bytes());
            assertEquals(5 * MIB, budget.inFlightBytes());
        }

        assertEquals(0, budget.inFlightBytes());
    }

    @Test
    void whenTheBudgetIsSpentTheNextBodyIsRefusedAsBusy() {
        BodyBudget budget = new BodyBudget(8 * MIB, Duration.ZERO);

        try (BodyBudget.Charge first = budget.admit(MIB)) {
            assertThrows(BodyBudget.Busy.class, () -> budget.admit(MIB));
            assertEquals(5 * MIB, budget.inFlightBytes());
        }
        try (BodyBudget.Charge again = budget.admit(MIB)) {
            assertEquals(5 * MIB, again.bytes());
        }
    }

    @Test
    void aBodyTheWholeBudgetCouldNeverHoldIs413NamingTheLimit() {
        BodyBudget budget = new BodyBudget(8 * MIB, Duration.ZERO);

        HttpResponseException refused = assertThrows(HttpResponseException.class, () -> budget.admit(2 * MIB));

        assertEquals(413, refused.getStatus());
        assertTrue(refused.getMessage().contains("max_inflight_body_bytes = " + 8 * MIB), refused.getMessage());
        assertEquals(0, budget.inFlightBytes());
    }

    @Test
    void admissionWaitsForRoomUpToItsBound() throws Exception {
        BodyBudget budget = new BodyBudget(8 * MIB, Duration.ofSeconds(30));
        BodyBudget.Charge first = budget.admit(MIB);

        CompletableFuture<BodyBudget.Charge> second = CompletableFuture.supplyAsync(() -> budget.admit(MIB),
                Thread::startVirtualThread);
        first.close();

        try (BodyBudget.Charge admitted = second.get(10, TimeUnit.SECONDS)) {
            assertEquals(5 * MIB, admitted.bytes());
        }
    }

    @Test
    void aChargeGrowsAndShrinksAndReleasesWhatItHolds() {
        BodyBudget budget = new BodyBudget(8 * MIB, Duration.ZERO);

        try (BodyBudget.Charge charge = budget.admit(-1)) {
            charge.growTo(6 * MIB);
            assertEquals(6 * MIB, budget.inFlightBytes());
            charge.shrinkTo(2 * MIB);
            assertEquals(2 * MIB, budget.inFlightBytes());
        }
        assertEquals(0, budget.inFlightBytes());
    }

    @Test
    void aGrowthThatDoesNotFitWhileAnotherWaitsIsRefusedAtOnce() throws Exception {
        BodyBudget budget = new BodyBudget(8 * MIB, Duration.ofSeconds(30));
        BodyBudget.Charge blocker = budget.admit(MIB);
        BodyBudget.Charge waiting = budget.admitBytes(MIB);
        BodyBudget.Charge other = budget.admitBytes(MIB);
        CompletableFuture<Void> growing = CompletableFuture.runAsync(() -> waiting.growTo(6 * MIB),
                Thread::startVirtualThread);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!budget.growthWaiting() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }

        // were both to wait, each holding what the other needs, neither could finish
        assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(BodyBudget.Busy.class, () -> other.growTo(6 * MIB)));
        other.close();
        blocker.close();

        growing.get(10, TimeUnit.SECONDS);
        assertEquals(6 * MIB, waiting.bytes());
        waiting.close();
        assertEquals(0, budget.inFlightBytes());
    }

    @Test
    void aTreeOfManySmallValuesIsChargedForItsNodes() {
        StringBuilder messages = new StringBuilder("{\"model\":\"m\",\"messages\":[");
        while (messages.length() < 200_000) {
            messages.append("{\"role\":\"user\",\"content\":\"hi\"},");
        }
        Body body = Body.json(messages.append("{\"role\":\"user\",\"content\":\"hi\"}]}").toString());
        BodyBudget budget = new BodyBudget(64 * MIB, Duration.ZERO);

        try (BodyBudget.Charge charge = budget.admit(body.length())) {
            TreeMeter.parse(body, charge);

            // measured: such a tree takes about 12 times its bytes; charged for it several times over
            assertTrue(charge.bytes() > 40L * body.length(), charge.bytes() + " for " + body.length());
            assertTrue(body.json().path("messages").isArray());
        }
    }

    @Test
    void aTreeThatOutgrowsTheWholeBudgetIsRefusedWith413() {
        StringBuilder values = new StringBuilder("[");
        while (values.length() < 300_000) {
            values.append("{},");
        }
        Body body = Body.json(values.append("{}]").toString());
        BodyBudget budget = new BodyBudget(16 * MIB, Duration.ZERO);

        try (BodyBudget.Charge charge = budget.admit(body.length())) {
            HttpResponseException refused = assertThrows(HttpResponseException.class,
                    () -> TreeMeter.parse(body, charge));
            assertEquals(413, refused.getStatus());
        }
        assertEquals(0, budget.inFlightBytes());
    }

    @Test
    void aBodyThatIsNotJsonIsLeftForThePipelineToRefuse() {
        Body body = Body.json("{\"model\": oops");
        BodyBudget budget = new BodyBudget(16 * MIB, Duration.ZERO);

        try (BodyBudget.Charge charge = budget.admit(body.length())) {
            TreeMeter.parse(body, charge);
        }

        assertThrows(InvalidRequest.class, body::json);
    }
}
