package dev.smartflow.core.alerts;

import java.util.Arrays;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which budget thresholds each subject (a key, a provider's budget) has already been alerted for in its current
 * period, so each threshold fires once per subject and period. When spend jumps past several thresholds at once only
 * the highest fires. When spend falls back below a threshold (the period was reset), the threshold is armed again.
 * One entry per subject, replaced when its period changes.
 */
final class Thresholds {
    private record State(String periodKey, int reached) {
    }

    /** Percentages, ascending. */
    private final int[] percents;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    Thresholds(int[] percents) {
        this.percents = percents.clone();
        Arrays.sort(this.percents);
    }

    /** The highest threshold {@code spent} newly reaches in {@code periodKey}, if any; remembers it. */
    OptionalInt reached(String subject, String periodKey, long spentMicros, long limitMicros) {
        if (limitMicros <= 0 || percents.length == 0) {
            return OptionalInt.empty();
        }
        int now = count(spentMicros, limitMicros);
        State known = states.get(subject);
        if (known != null && known.periodKey().equals(periodKey) && known.reached() == now) {
            return OptionalInt.empty(); // the common case: nothing changed, nothing written
        }
        int[] fired = {-1};
        states.compute(subject, (s, old) -> {
            int before = old == null || !old.periodKey().equals(periodKey) ? 0 : old.reached();
            if (now > before) {
                fired[0] = percents[now - 1];
            }
            return new State(periodKey, now);
        });
        return fired[0] < 0 ? OptionalInt.empty() : OptionalInt.of(fired[0]);
    }

    /** How many thresholds {@code spent} reaches. */
    private int count(long spentMicros, long limitMicros) {
        int reached = 0;
        for (int percent : percents) {
            if (reaches(spentMicros, limitMicros, percent)) {
                reached++;
            }
        }
        return reached;
    }

    /** spent / limit >= percent / 100, exact in whole numbers; in floating point only past a long's range. */
    private static boolean reaches(long spentMicros, long limitMicros, int percent) {
        try {
            return Math.multiplyExact(spentMicros, 100L) >= Math.multiplyExact(limitMicros, (long) percent);
        } catch (ArithmeticException e) {
            return (double) spentMicros * 100 >= (double) limitMicros * percent;
        }
    }
}
