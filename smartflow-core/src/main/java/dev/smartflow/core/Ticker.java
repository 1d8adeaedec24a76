package dev.smartflow.core;

/**
 * A source of nanoseconds for measuring elapsed time. Injected so that tests control time; {@link #system()} in
 * production.
 */
@FunctionalInterface
public interface Ticker {
    long nanos();

    static Ticker system() {
        return System::nanoTime;
    }
}
