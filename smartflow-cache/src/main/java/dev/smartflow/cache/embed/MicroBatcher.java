package dev.smartflow.cache.embed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * Groups concurrent requests into batches: a worker takes the first waiting item, then every item that arrived while
 * the previous batch ran (up to {@code maxBatch}), runs them as one call and completes each caller's future. Equal
 * items in a batch are run once. With one worker, the batch function is only ever called from that worker's thread,
 * so it may use resources that are not thread-safe (a DJL predictor).
 *
 * <p>Closing stops the workers after the batch under way and fails every item still waiting with
 * {@link IllegalStateException}.
 */
final class MicroBatcher<I, O> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MicroBatcher.class.getName());

    private final BlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    private final Function<List<I>, List<O>> run;
    private final int maxBatch;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param name     names the worker threads
     * @param maxBatch the most items one call of {@code run} gets
     * @param workers  how many batches may run at once
     * @param run      computes the outputs of a batch of distinct items, in order, one output per item
     */
    MicroBatcher(String name, int maxBatch, int workers, Function<List<I>, List<O>> run) {
        if (maxBatch < 1 || workers < 1) {
            throw new IllegalArgumentException("maxBatch and workers must be at least 1");
        }
        this.maxBatch = maxBatch;
        this.run = Objects.requireNonNull(run, "run");
        for (int i = 0; i < workers; i++) {
            // platform threads: the batch function may sit in native code, which would pin a virtual thread anyway
            this.workers.add(Thread.ofPlatform().daemon().name(name + "-" + i).start(this::work));
        }
    }

    /** The output for {@code item}, once the batch it joins has run. */
    CompletableFuture<O> submit(I item) {
        Pending<I, O> pending = new Pending<>(Objects.requireNonNull(item, "item"), new CompletableFuture<>());
        queue.add(pending);
        if (closed) {
            // close() may have drained the queue before this item arrived
            failWaiting();
        }
        return pending.result;
    }

    /** The outputs for {@code items}, in order; blocks until all are done. */
    List<O> runAll(List<I> items) {
        List<CompletableFuture<O>> futures = new ArrayList<>(items.size());
        for (I item : items) {
            futures.add(submit(item));
        }
        List<O> outputs = new ArrayList<>(items.size());
        for (CompletableFuture<O> future : futures) {
            outputs.add(await(future));
        }
        return outputs;
    }

    /** How many items wait for a worker. */
    int waiting() {
        return queue.size();
    }

    /** Waits for {@code future}, rethrowing what the batch threw. */
    static <O> O await(CompletableFuture<O> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void work() {
        List<Pending<I, O>> batch = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, maxBatch - 1);
            runBatch(batch);
            batch.clear();
        }
    }

    private void runBatch(List<Pending<I, O>> batch) {
        Map<I, List<CompletableFuture<O>>> distinct = new LinkedHashMap<>();
        for (Pending<I, O> pending : batch) {
            distinct.computeIfAbsent(pending.item, i -> new ArrayList<>(1)).add(pending.result);
        }
        List<I> items = List.copyOf(distinct.keySet());
        try {
            List<O> outputs = run.apply(items);
            if (outputs.size() != items.size()) {
                throw new IllegalStateException("a batch of " + items.size() + " gave " + outputs.size() + " results");
            }
            for (int i = 0; i < items.size(); i++) {
                O output = outputs.get(i);
                distinct.get(items.get(i)).forEach(result -> result.complete(output));
            }
        } catch (RuntimeException | Error e) {
            if (!(e instanceof RuntimeException)) {
                LOG.log(System.Logger.Level.ERROR, "a batch failed", e);
            }
            batch.forEach(pending -> pending.result.completeExceptionally(e));
        }
    }

    private void failWaiting() {
        List<Pending<I, O>> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(pending -> pending.result.completeExceptionally(new IllegalStateException("closed")));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        workers.forEach(Thread::interrupt);
        for (Thread worker : workers) {
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        failWaiting();
    }

    private record Pending<I, O>(I item, CompletableFuture<O> result) {
    }
}
