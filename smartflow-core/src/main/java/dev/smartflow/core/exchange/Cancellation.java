package dev.smartflow.core.exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tells work done for an exchange that its caller went away, so that an upstream call in flight can be cancelled
 * rather than left running until its timeout. Whoever serves the caller (the HTTP server) puts one on the exchange
 * under {@link #KEY} and {@linkplain #cancel() cancels} it when the caller's connection closes; a provider
 * {@linkplain #onCancel registers} the cancelling of its call while the call runs.
 *
 * <p>Thread-safe: {@code cancel()} comes from another thread than the one doing the work. An action registered after
 * the cancellation runs at once, on the registering thread; an action runs at most once.
 *
 * <pre>{@code
 * try (Cancellation.Registration ignored = cancellation.onCancel(call::cancel)) {
 *     return call.execute();
 * }
 * }</pre>
 */
public final class Cancellation {
    /** Where an exchange carries its cancellation; absent when nobody can cancel it (e.g. in-process calls). */
    public static final Attribute<Cancellation> KEY = Attribute.of("cancellation", Cancellation.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Registration> registrations = new ArrayList<>(2);
    private boolean cancelled;

    /** Ends a registration; closing it after the action ran, or twice, does nothing. */
    public final class Registration implements AutoCloseable {
        private final Runnable action;

        private Registration(Runnable action) {
            this.action = action;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                registrations.remove(this);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Runs {@code action} when the caller goes away, or now if it already has. */
    public Registration onCancel(Runnable action) {
        Registration registration = new Registration(Objects.requireNonNull(action, "action"));
        lock.lock();
        try {
            if (!cancelled) {
                registrations.add(registration);
                return registration;
            }
        } finally {
            lock.unlock();
        }
        action.run();
        return registration;
    }

    /** Marks the exchange abandoned and runs the registered actions; later calls do nothing. */
    public void cancel() {
        List<Registration> toRun;
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = List.copyOf(registrations);
            registrations.clear();
        } finally {
            lock.unlock();
        }
        // outside the lock: an action may block briefly (closing a socket), and must not hold up registrations
        for (Registration registration : toRun) {
            registration.action.run();
        }
    }

    /** True once {@link #cancel()} was called. */
    public boolean cancelled() {
        lock.lock();
        try {
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Cancellation[" + (cancelled() ? "cancelled" : "live") + "]";
    }
}
