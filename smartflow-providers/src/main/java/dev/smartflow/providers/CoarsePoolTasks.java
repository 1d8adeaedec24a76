package dev.smartflow.providers;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.internal.concurrent.TaskRunner;
import okhttp3.internal.connection.ConnectionListener;

/**
 * A connection pool whose housekeeping runs on a coarse tick instead of waking a thread for every released connection.
 *
 * <p>Why: OkHttp's pool reschedules its cleanup task to "now" each time a connection goes back to the pool, and its
 * task runner wakes a coordinator thread to run it (a futex wake, a thread rename, a scan, on every request). Profiled
 * on a one-core gateway at 8k req/s, that path held about 37% of the CPU samples. Cleanup only evicts connections
 * idle for minutes, so running it at most {@link #TICK} late changes nothing a caller can see.
 *
 * <p>How: the pool gets its own {@link TaskRunner} whose backend never notifies the coordinator and caps every
 * coordinator wait at {@link #TICK}, so the coordinator picks up newly scheduled work on its next tick. This runner
 * serves only this pool's cleanup queue; HTTP/2 and the rest of OkHttp keep the default runner.
 *
 * <p>The price: {@code TaskRunner} and the pool constructor that takes one are OkHttp internals (Kotlin
 * {@code internal}, public in bytecode). They are pinned with the OkHttp version in the parent pom; if a different
 * OkHttp on the classpath lacks them, {@link #pool} falls back to the public constructor and the per-request wakeups.
 */
final class CoarsePoolTasks implements TaskRunner.Backend {
    static final Duration TICK = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(CoarsePoolTasks.class.getName());

    private final ExecutorService threads = Executors.newCachedThreadPool(Thread.ofPlatform()
            .name("smartflow-pool-cleanup").daemon().factory());

    private CoarsePoolTasks() {
    }

    static ConnectionPool pool(int maxIdle, Duration keepAlive) {
        try {
            return new ConnectionPool(maxIdle, keepAlive.toNanos(), TimeUnit.NANOSECONDS,
                    new TaskRunner(new CoarsePoolTasks(), TaskRunner.Companion.getLogger()),
                    ConnectionListener.Companion.getNONE());
        } catch (LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "this OkHttp version has no pluggable pool task runner; "
                    + "pool cleanup will wake a thread per request", e);
            return new ConnectionPool(maxIdle, keepAlive.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void coordinatorNotify(TaskRunner taskRunner) {
        // Deliberately nothing: the coordinator finds new work on its next tick.
    }

    /** Called by OkHttp holding the runner's monitor, as its own backend does; {@code wait} releases it. */
    @Override
    public void coordinatorWait(TaskRunner taskRunner, long nanos) {
        long capped = Math.min(nanos, TICK.toNanos());
        if (capped > 0) {
            try {
                taskRunner.wait(capped / 1_000_000L, (int) (capped % 1_000_000L));
            } catch (InterruptedException e) {
                // OkHttp (Kotlin) catches this to cancel its tasks; Java cannot declare it on this override.
                throw CoarsePoolTasks.<RuntimeException>sneaky(e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable e) throws E {
        throw (E) e;
    }

    @Override
    public <T> BlockingQueue<T> decorate(BlockingQueue<T> queue) {
        return queue;
    }

    @Override
    public void execute(TaskRunner taskRunner, Runnable runnable) {
        threads.execute(runnable);
    }
}
