package dev.smartflow.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one task on many virtual threads released together, for the concurrency cases every contract suite has.
 *
 * <pre>{@code
 * List<Reservation> holds = Concurrently.run(200, i -> state.reserve("budget", 10, 1_000));
 * }</pre>
 */
public final class Concurrently {
    private Concurrently() {
    }

    /** A task that knows which of the concurrent runs it is. */
    @FunctionalInterface
    public interface IndexedTask<T> {
        T run(int index) throws Exception;
    }

    /** Runs {@code task} on {@code threads} virtual threads that start together; the results in task order. */
    public static <T> List<T> run(int threads, IndexedTask<T> task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>(threads);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                int index = i;
                Callable<T> call = () -> {
                    start.await();
                    return task.run(index);
                };
                futures.add(executor.submit(call));
            }
            start.countDown();
        }
        List<T> results = new ArrayList<>(threads);
        for (Future<T> future : futures) {
            results.add(future.get());
        }
        return results;
    }
}
