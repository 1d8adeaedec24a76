package dev.smartflow.core.memory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The one lock an in-memory store takes around every call, so a call sees and changes its maps as one step; once the
 * store's database is closed every call fails.
 */
final class Guard {
    private final AtomicBoolean closed;
    private final ReentrantLock lock = new ReentrantLock();

    Guard(AtomicBoolean closed) {
        this.closed = closed;
    }

    <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            InMemoryDatabase.requireOpen(closed);
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
