package dev.smartflow.client;

import java.time.Duration;

/** How the client waits between retries; tests pass one that records instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = duration -> Thread.sleep(duration);

    void sleep(Duration duration) throws InterruptedException;
}
