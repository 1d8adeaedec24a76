package dev.smartflow.core.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.testing.DelegatingKeyStore;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SpendLedgerTest {
    private static final KeyId KEY = KeyId.of("key_a");
    /** Long enough that only explicit flushes write during a test. */
    private static final Duration SLOW = Duration.ofHours(1);

    private final KeyStore store = new InMemoryDatabase().keys();

    @Test
    void manyCallsBecomeOneExactWritePerKeyAndPeriod() throws Exception {
        try (SpendLedger ledger = new SpendLedger(store, SLOW);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                threads.submit(() -> ledger.add(KEY, "2026-11", 7));
            }
            threads.shutdown();
            threads.awaitTermination(10, TimeUnit.SECONDS);
            assertEquals(0, store.spend(KEY, "2026-11"), "nothing is written on the request path");
            ledger.flush();
            assertEquals(1_400, store.spend(KEY, "2026-11"));
            ledger.flush();
            assertEquals(1_400, store.spend(KEY, "2026-11"), "a flush writes each amount once");
        }
    }

    @Test
    void aFailedWriteKeepsItsAmountForTheNextFlush() {
        FlakyStore flaky = new FlakyStore(store);
        try (SpendLedger ledger = new SpendLedger(flaky, SLOW)) {
            ledger.add(KEY, "2026-11", 5);
            flaky.failing = true;
            ledger.flush();
            assertEquals(0, store.spend(KEY, "2026-11"));
            flaky.failing = false;
            ledger.add(KEY, "2026-11", 2);
            ledger.flush();
            assertEquals(7, store.spend(KEY, "2026-11"));
        }
    }

    @Test
    void closeWritesWhatIsPendingAndDiscardForgetsAResetPeriod() {
        SpendLedger ledger = new SpendLedger(store, SLOW);
        ledger.add(KEY, "2026-11", 9);
        ledger.add(KEY, "2026-12", 4);
        ledger.discard(KEY, "2026-11");
        ledger.close();
        assertEquals(0, store.spend(KEY, "2026-11"));
        assertEquals(4, store.spend(KEY, "2026-12"));
    }

    @Test
    void theBackgroundFlusherWritesWithoutBeingAsked() throws Exception {
        try (SpendLedger ledger = new SpendLedger(store, Duration.ofMillis(20))) {
            ledger.add(KEY, "2026-11", 3);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (store.spend(KEY, "2026-11") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(3, store.spend(KEY, "2026-11"));
        }
    }

    /** A real store whose addSpend fails while {@link #failing} is set. */
    private static final class FlakyStore extends DelegatingKeyStore {
        volatile boolean failing;

        FlakyStore(KeyStore delegate) {
            super(delegate);
        }

        @Override
        public long addSpend(KeyId id, String periodKey, long micros) {
            if (failing) {
                throw new IllegalStateException("database down");
            }
            return super.addSpend(id, periodKey, micros);
        }
    }
}
