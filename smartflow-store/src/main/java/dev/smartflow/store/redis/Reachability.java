package dev.smartflow.store.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether Redis answers, as {@link RedisSharedState} last saw it.
 *
 * <p>A call that fails for want of Redis marks it unreachable (logged once, with the reason). While it is, calls fail
 * at once instead of each waiting out its timeout: an instance under load would otherwise hold every request for the
 * full timeout while Redis hangs. One prober, on a virtual thread of its own, pings Redis every {@code probeInterval}
 * until it answers, which marks it reachable again (logged once, with how long the outage lasted). So a recovered
 * Redis is noticed within one probe interval of the connection coming back, and readiness reads a flag.
 */
final class Reachability {
    private static final System.Logger LOG = System.getLogger(RedisSharedState.class.getName());

    private final Runnable ping;
    private final long probeIntervalMillis;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Why Redis is unreachable; null while it answers. */
    private final AtomicReference<String> down = new AtomicReference<>();
    private volatile long downSinceNanos;

    /** @param ping throws when Redis does not answer within its timeout, returns when it does */
    Reachability(Runnable ping, Duration probeInterval) {
        this.ping = ping;
        this.probeIntervalMillis = probeInterval.toMillis();
    }

    /** Why Redis is unreachable, or null while it answers. */
    String down() {
        return down.get();
    }

    /** Marks Redis unreachable for {@code reason} (no address, no credentials) and starts probing it. */
    void lost(String reason) {
        if (stopped.get()) {
            return;
        }
        long now = System.nanoTime();
        if (down.get() == null && down.compareAndSet(null, reason)) {
            downSinceNanos = now;
            LOG.log(System.Logger.Level.WARNING, "shared state is unreachable (" + reason + "): calls fail at once"
                    + " until Redis answers again");
        }
        startProbing();
    }

    /** Marks Redis reachable: it just answered. */
    void answered() {
        String reason = down.get();
        if (reason != null && down.compareAndSet(reason, null)) {
            long millis = Duration.ofNanos(System.nanoTime() - downSinceNanos).toMillis();
            LOG.log(System.Logger.Level.INFO, "shared state answers again, after " + millis + "ms");
        }
    }

    /** Ends probing for good; the state is closed. */
    void stop() {
        stopped.set(true);
    }

    private void startProbing() {
        if (probing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("smartflow-redis-probe").start(this::probe);
        }
    }

    private void probe() {
        try {
            while (down.get() != null && !stopped.get()) {
                Thread.sleep(probeIntervalMillis);
                try {
                    ping.run();
                    answered();
                } catch (RuntimeException e) {
                    // still down; the next ping tells
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            probing.set(false);
        }
        if (down.get() != null && !stopped.get()) {
            // lost again between the loop's last look and the flag's reset
            startProbing();
        }
    }
}
