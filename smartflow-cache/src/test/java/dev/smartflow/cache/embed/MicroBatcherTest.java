package dev.smartflow.cache.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
    private final List<List<String>> batches = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstBatchStarted = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    private List<String> upperCase(List<String> items) {
        batches.add(items);
        firstBatchStarted.countDown();
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return items.stream().map(String::toUpperCase).toList();
    }

    @Test
    void itemsArrivingWhileABatchRunsFormTheNextBatchesUpToTheLimit() throws Exception {
        try (MicroBatcher<String, String> batcher = new MicroBatcher<>("test", 32, 1, this::upperCase)) {
            CompletableFuture<String> first = batcher.submit("first");
            assertTrue(firstBatchStarted.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<String>> later = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                later.add(batcher.submit("item " + i));
            }
            Await.until(Duration.ofSeconds(10), "all 40 items queued", () -> batcher.waiting() == 40);

            release.countDown();

            assertEquals("FIRST", first.get(10, TimeUnit.SECONDS));
            for (int i = 0; i < 40; i++) {
                assertEquals("ITEM " + i, later.get(i).get(10, TimeUnit.SECONDS));
            }
            assertEquals(List.of(1, 32, 8), batches.stream().map(List::size).toList());
        }
    }

    @Test
    void equalItemsOfABatchRunOnceAndEachCallerGetsTheResult() throws Exception {
        try (MicroBatcher<String, String> batcher = new MicroBatcher<>("test", 32, 1, this::upperCase)) {
            batcher.submit("warm-up");
            assertTrue(firstBatchStarted.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<String>> same = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                same.add(batcher.submit("same"));
            }
            Await.until(Duration.ofSeconds(10), "five queued", () -> batcher.waiting() == 5);

            release.countDown();

            for (CompletableFuture<String> result : same) {
                assertEquals("SAME", result.get(10, TimeUnit.SECONDS));
            }
            assertEquals(List.of("same"), batches.get(1));
        }
    }

    @Test
    void aFailingBatchFailsEveryCallerOfThatBatchOnly() throws Exception {
        try (MicroBatcher<String, String> batcher = new MicroBatcher<>("test", 32, 1, items -> {
            if (items.contains("bad")) {
                throw new IllegalArgumentException("bad input");
            }
            return items;
        })) {
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> batcher.submit("bad").get(10, TimeUnit.SECONDS));
            assertEquals("bad input", failure.getCause().getMessage());

            assertEquals("good", batcher.submit("good").get(10, TimeUnit.SECONDS));
            assertThrows(IllegalArgumentException.class, () -> MicroBatcher.await(batcher.submit("bad")));
        }
    }

    @Test
    void closingFailsWhatStillWaitsAndEverythingSubmittedAfter() throws Exception {
        MicroBatcher<String, String> batcher = new MicroBatcher<>("test", 32, 1, this::upperCase);
        CompletableFuture<String> running = batcher.submit("running");
        assertTrue(firstBatchStarted.await(10, TimeUnit.SECONDS));
        CompletableFuture<String> waiting = batcher.submit("waiting");
        release.countDown();

        batcher.close();

        assertEquals("RUNNING", running.get(10, TimeUnit.SECONDS));
        assertTrue(waiting.isDone());
        assertThrows(IllegalStateException.class, () -> MicroBatcher.await(batcher.submit("after")));
    }
}
