package dev.smartflow.core.budget;

import dev.smartflow.core.error.StateUnavailable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells the log when a feature in {@link OutageMode#OPEN} starts counting in the instance, and when shared state takes
 * over again: once per outage each, however many calls pass meanwhile. The store logs the outage itself.
 */
final class OutageNotice {
    private static final System.Logger LOG = System.getLogger(OutageNotice.class.getName());

    private final String feature;
    private final AtomicBoolean local = new AtomicBoolean();

    /** @param feature what is counted, as the log names it: {@code "budgets"}, {@code "rate limits"} */
    OutageNotice(String feature) {
        this.feature = feature;
    }

    void countingLocally(StateUnavailable cause) {
        if (!local.get() && local.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, feature + " fail open: shared state is unreachable (" + cause.reason()
                    + "); calls are served and counted in this instance only until it answers again");
        }
    }

    /** True for the one call that finds shared state answering again after it counted locally. */
    boolean sharedAgain() {
        if (local.get() && local.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, feature + " are counted in shared state again");
            return true;
        }
        return false;
    }
}
