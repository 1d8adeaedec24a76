package dev.smartflow.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CancellationTest {
    @Test
    void cancellingRunsEveryRegisteredActionOnce() {
        Cancellation cancellation = new Cancellation();
        List<String> ran = new ArrayList<>();
        cancellation.onCancel(() -> ran.add("first"));
        cancellation.onCancel(() -> ran.add("second"));

        cancellation.cancel();
        cancellation.cancel();

        assertEquals(List.of("first", "second"), ran);
        assertTrue(cancellation.cancelled());
    }

    @Test
    void anActionRegisteredAfterTheCancellationRunsAtOnce() {
        Cancellation cancellation = new Cancellation();
        cancellation.cancel();
        List<String> ran = new ArrayList<>();

        cancellation.onCancel(() -> ran.add("late"));

        assertEquals(List.of("late"), ran);
    }

    @Test
    void aClosedRegistrationIsNotRun() {
        Cancellation cancellation = new Cancellation();
        List<String> ran = new ArrayList<>();
        Cancellation.Registration done = cancellation.onCancel(() -> ran.add("done"));
        cancellation.onCancel(() -> ran.add("running"));

        done.close();
        cancellation.cancel();

        assertEquals(List.of("running"), ran);
    }

    @Test
    void aFreshCancellationIsNotCancelled() {
        assertFalse(new Cancellation().cancelled());
    }
}
