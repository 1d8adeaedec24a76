package dev.smartflow.compliance.intel;

import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Layer 3: per-user and per-organisation baselines in the shared state, and the deviations of a scan from them.
 *
 * <p><b>What is kept</b> (hashes under {@code compliance:bl:}; counts only, never content): for each user of each
 * scope (a virtual key's tenant, or the org the master key names) and for the scope itself, when it was first seen,
 * scans, scans with violations, violations per category, scans per hour of the day (UTC) and days with activity; per
 * day, that day's scans (a counter that expires after 60 days). Counters are atomic increments, so instances sharing
 * one Redis build one baseline.
 *
 * <p><b>Learning.</b> A user's baseline is complete after {@code learningDays} since first seen and at least
 * {@value #MIN_SCANS} scans; only then are deviations reported (a baseline still forming says nothing), except that an
 * org's baseline needs {@value #MIN_ORG_SCANS} scans to compare a user with it.
 *
 * <p>Thread-safe; time from the injected clock.
 */
public final class Baselines {
    static final int MIN_SCANS = 10;
    static final int MIN_ORG_SCANS = 50;
    private static final String PREFIX = "compliance:bl:";
    private static final String SCOPES = PREFIX + "scopes";
    private static final Duration DAY_TTL = Duration.ofDays(60);

    private final SharedState state;
    private final InstantSource clock;
    private final int learningDays;

    public Baselines(SharedState state, InstantSource clock, int learningDays) {
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (learningDays < 1) {
            throw new IllegalArgumentException("learning days must be positive: " + learningDays);
        }
        this.learningDays = learningDays;
    }

    public int learningDays() {
        return learningDays;
    }

    /** A user's baseline as it stands, with its learning status. */
    public Baseline user(String scope, String user) {
        return baseline(userKey(scope, user), dayKey(scope, user));
    }

    /** A scope's (an organisation's) baseline. */
    public Baseline org(String scope) {
        return baseline(orgKey(scope), dayKey(scope, null));
    }

    /** How many users a scope has seen. */
    public int users(String scope) {
        return state.hashGetAll(usersKey(scope)).size();
    }

    /** Every scope seen, for summaries. */
    public Set<String> scopes() {
        return state.hashGetAll(SCOPES).keySet();
    }

    /** The users of {@code scope}, for summaries. */
    public Set<String> usersOf(String scope) {
        return state.hashGetAll(usersKey(scope)).keySet();
    }

    /**
     * What a scan of {@code user} with violations in {@code categories} (empty: none) would show against the
     * baselines as they stand, before it is recorded.
     */
    public List<Deviation> deviations(String scope, String user, Set<String> categories) {
        Baseline mine = user(scope, user);
        if (!mine.learningComplete()) {
            return List.of();
        }
        List<Deviation> found = new ArrayList<>();
        Instant now = clock.instant();
        long today = mine.today();
        double daily = mine.averageDailyScans();
        if (today + 1 >= 10 && daily > 0 && (today + 1) / daily >= 3) {
            double size = (today + 1) / daily;
            found.add(new Deviation("volume_spike", today + 1, round(daily), round(size),
                    Math.min(1, (size - 1) / 5), "scans today are " + round(size) + " times the daily average"));
        }
        if (!categories.isEmpty()) {
            double rate = mine.violationRate();
            if (rate < 0.05) {
                double size = 1 / Math.max(rate, 1.0 / mine.scans());
                found.add(new Deviation("unusual_violation", 1, round(rate), round(size), 0.5,
                        "violations are rare for this user (" + percent(rate) + " of scans)"));
            }
            for (String category : categories) {
                if (!mine.categories().containsKey(category)) {
                    found.add(new Deviation("new_violation_category", 1, 0, 1, 0.4,
                            "first " + category + " violation for this user"));
                }
            }
            Baseline org = org(scope);
            if (org.scans() >= MIN_ORG_SCANS && org.violationRate() > 0
                    && mine.violationRate() / org.violationRate() >= 3) {
                double size = mine.violationRate() / org.violationRate();
                found.add(new Deviation("above_org_baseline", round(mine.violationRate()),
                        round(org.violationRate()), round(size), 0.4, "this user's violation rate is "
                        + round(size) + " times the organisation's"));
            }
        }
        int hour = now.atOffset(ZoneOffset.UTC).getHour();
        long atHour = mine.hours().getOrDefault(hour, 0L);
        double share = (double) atHour / mine.scans();
        if (mine.scans() >= 50 && share < 0.02) {
            double size = (1.0 / 24) / Math.max(share, 1.0 / mine.scans());
            found.add(new Deviation("unusual_hour", round(share), round(1.0 / 24), round(size), 0.3,
                    "this user is rarely active at " + hour + ":00 UTC (" + percent(share) + " of scans)"));
        }
        return found;
    }

    /** Counts one scan of {@code user} in {@code scope} (and the scope), with its violation categories. */
    public void record(String scope, String user, Set<String> categories) {
        Instant now = clock.instant();
        long nowMillis = now.toEpochMilli();
        int hour = now.atOffset(ZoneOffset.UTC).getHour();
        if (state.hashGet(SCOPES, scope).isEmpty()) {
            state.hashPut(SCOPES, scope, Long.toString(nowMillis));
        }
        if (state.hashGet(usersKey(scope), user).isEmpty()) {
            state.hashPut(usersKey(scope), user, Long.toString(nowMillis));
        }
        count(userKey(scope, user), dayKey(scope, user), now, hour, categories);
        count(orgKey(scope), dayKey(scope, null), now, hour, categories);
    }

    private void count(String key, String dayKey, Instant now, int hour, Set<String> categories) {
        if (state.hashGet(key, "first_seen").isEmpty()) {
            state.hashPut(key, "first_seen", Long.toString(now.toEpochMilli()));
        }
        state.hashIncrement(key, "scans", 1);
        state.hashIncrement(key, "h." + hour, 1);
        if (!categories.isEmpty()) {
            state.hashIncrement(key, "violations", 1);
            for (String category : categories) {
                state.hashIncrement(key, "v." + category, 1);
            }
        }
        String day = dayKey + ":" + LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (state.increment(day, 1, Optional.of(DAY_TTL)) == 1) {
            state.hashIncrement(key, "days", 1);
        }
    }

    private Baseline baseline(String key, String dayKey) {
        Map<String, String> fields = state.hashGetAll(key);
        Instant now = clock.instant();
        Optional<Instant> firstSeen = Optional.ofNullable(fields.get("first_seen")).map(Baselines::parse)
                .map(Instant::ofEpochMilli);
        long scans = parse(fields.get("scans"));
        long violations = parse(fields.get("violations"));
        long days = parse(fields.get("days"));
        Map<String, Long> categories = new LinkedHashMap<>();
        Map<Integer, Long> hours = new LinkedHashMap<>();
        fields.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (e.getKey().startsWith("v.")) {
                categories.put(e.getKey().substring(2), parse(e.getValue()));
            } else if (e.getKey().startsWith("h.")) {
                hours.put(Integer.parseInt(e.getKey().substring(2)), parse(e.getValue()));
            }
        });
        long today = state.get(dayKey + ":" + LocalDate.ofInstant(now, ZoneOffset.UTC)).map(Baselines::parse)
                .orElse(0L);
        double observedDays = firstSeen.map(f -> f.until(now, ChronoUnit.SECONDS) / 86_400.0).orElse(0.0);
        return new Baseline(firstSeen, scans, violations, days, today, categories, hours, observedDays, learningDays);
    }

    /**
     * A baseline: counts since first seen and the learning status they give.
     *
     * @param observedDays days since first seen
     */
    public record Baseline(Optional<Instant> firstSeen, long scans, long violations, long activeDays, long today,
                           Map<String, Long> categories, Map<Integer, Long> hours, double observedDays,
                           int learningDays) {
        public double violationRate() {
            return scans == 0 ? 0 : (double) violations / scans;
        }

        public double averageDailyScans() {
            return activeDays == 0 ? 0 : (double) scans / activeDays;
        }

        /** Time and scans, each as a share of what a complete baseline needs; the lesser, as a percentage. */
        public double progressPercent() {
            double time = Math.min(1, observedDays / learningDays);
            double samples = Math.min(1, (double) scans / MIN_SCANS);
            return Math.round(Math.min(time, samples) * 1000) / 10.0;
        }

        public boolean learningComplete() {
            return observedDays >= learningDays && scans >= MIN_SCANS;
        }

        /** Categories by count, most frequent first. */
        public List<String> topCategories() {
            return categories.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                            .thenComparing(Map.Entry.comparingByKey()))
                    .map(Map.Entry::getKey).toList();
        }

        /** Hours (UTC) with at least a tenth of the scans. */
        public List<Integer> activeHours() {
            return hours.entrySet().stream().filter(e -> e.getValue() * 10 >= scans).map(Map.Entry::getKey)
                    .sorted().toList();
        }
    }

    private static String userKey(String scope, String user) {
        return PREFIX + "user:" + part(scope) + ":" + part(user);
    }

    private static String orgKey(String scope) {
        return PREFIX + "org:" + part(scope);
    }

    private static String usersKey(String scope) {
        return PREFIX + "users:" + part(scope);
    }

    private static String dayKey(String scope, String user) {
        return user == null ? PREFIX + "org-day:" + part(scope)
                : PREFIX + "user-day:" + part(scope) + ":" + part(user);
    }

    /** A key part with its colons escaped, so that no scope and user can spell another pair's key. */
    private static String part(String value) {
        return value.replace("%", "%25").replace(":", "%3A");
    }

    private static long parse(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    private static String percent(double share) {
        return Math.round(share * 1000) / 10.0 + "%";
    }
}
