package dev.smartflow.server.management;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An operations question as the chatbot understands it, read by fixed rules (no model): what it asks about
 * ({@link Topic}), over which time range (UTC days; "the last 7 days" when it names none), for which provider, and
 * whether it asks for a ranking ("which provider had the most errors").
 *
 * @param topic    what is asked
 * @param from     the range's start (inclusive)
 * @param to       the range's end (exclusive)
 * @param range    the range in words, as the answer says it ({@code today}, {@code this week}, ...)
 * @param provider the provider named, if any
 * @param rank     +1 for "most/highest", -1 for "least/lowest", 0 for no ranking
 */
record Question(Topic topic, Instant from, Instant to, String range, Optional<String> provider, int rank) {
    /** What a question can be about. */
    enum Topic { COST, REQUESTS, ERRORS, CACHE, LATENCY, TOKENS, TOP_MODELS, ROUTING, SUMMARY, UNSUPPORTED }

    static final Duration DEFAULT_RANGE = Duration.ofDays(7);
    private static final Pattern LAST_N = Pattern.compile("\\b(?:last|past|previous)\\s+(\\d{1,4})\\s+(day|days|hour|hours"
            + "|week|weeks)\\b");
    private static final Map<String, String> ALIASES = Map.of("google", "gemini", "claude", "anthropic",
            "grok", "xai");

    /**
     * Reads {@code text}; ranges that run "until now" include {@code now} (they end a millisecond after it);
     * {@code providers} are the names it may mention.
     */
    static Question read(String text, Instant now, Collection<String> providers) {
        String q = " " + text.toLowerCase(Locale.ROOT).replace('\u2019', '\'').replaceAll("[^a-z0-9.' _/-]", " ")
                + " ";
        Optional<String> provider = provider(q, providers);
        return range(q, now, provider, topic(q), rank(q));
    }

    private static Topic topic(String q) {
        if (has(q, "model", "models") && has(q, "top", "most", "popular", "which", "used", "busiest")) {
            return Topic.TOP_MODELS;
        }
        if (q.contains("cache") || q.contains("hit rate")) {
            return Topic.CACHE;
        }
        if (has(q, "error", "errors", "fail", "fails", "failure", "failures", "failed", "failing")) {
            return Topic.ERRORS;
        }
        if (has(q, "latency", "slow", "slowest", "fast", "fastest", "p50", "p95", "p99") || q.contains("response time")) {
            return Topic.LATENCY;
        }
        if (has(q, "spend", "spent", "spending", "cost", "costs", "bill", "money", "expensive", "cheapest", "dollars")
                || q.contains("how much")) {
            return Topic.COST;
        }
        if (has(q, "token", "tokens")) {
            return Topic.TOKENS;
        }
        if (has(q, "request", "requests", "calls", "call", "traffic", "volume", "usage") || q.contains("how many")) {
            return Topic.REQUESTS;
        }
        if (has(q, "routing", "forced", "route", "health", "healthy", "circuit", "down", "outage", "status")) {
            return Topic.ROUTING;
        }
        if (has(q, "summary", "overview", "stats", "statistics", "report") || q.contains("how are we doing")) {
            return Topic.SUMMARY;
        }
        return Topic.UNSUPPORTED;
    }

    private static int rank(String q) {
        if (!has(q, "which", "what", "who", "top")) {
            return 0;
        }
        if (has(q, "least", "fewest", "lowest", "cheapest", "fastest", "smallest")) {
            return -1;
        }
        return has(q, "most", "highest", "biggest", "largest", "slowest", "top", "worst") ? 1 : 0;
    }

    private static Optional<String> provider(String q, Collection<String> providers) {
        for (String name : providers) {
            if (Pattern.compile("\\b" + Pattern.quote(name.toLowerCase(Locale.ROOT)) + "\\b").matcher(q).find()) {
                return Optional.of(name);
            }
        }
        for (Map.Entry<String, String> alias : ALIASES.entrySet()) {
            if (has(q, alias.getKey()) && providers.contains(alias.getValue())) {
                return Optional.of(alias.getValue());
            }
        }
        return Optional.empty();
    }

    private static Question range(String q, Instant now, Optional<String> provider, Topic topic, int rank) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant dayStart = start(today);
        Instant end = now.plusMillis(1);
        Matcher lastN = LAST_N.matcher(q);
        if (lastN.find()) {
            int n = Math.max(1, Math.min(Integer.parseInt(lastN.group(1)), 3660));
            String unit = lastN.group(2);
            Duration span = unit.startsWith("hour") ? Duration.ofHours(Math.min(n, 24 * 366))
                    : unit.startsWith("week") ? Duration.ofDays(7L * Math.min(n, 520)) : Duration.ofDays(n);
            String unitWord = unit.startsWith("hour") ? "hour" : unit.startsWith("week") ? "week" : "day";
            return new Question(topic, now.minus(span), end, "in the last " + (n == 1 ? unitWord : n + " "
                    + unitWord + "s"), provider, rank);
        }
        if (q.contains("yesterday")) {
            return new Question(topic, start(today.minusDays(1)), dayStart, "yesterday", provider, rank);
        }
        if (q.contains("today") || q.contains("so far")) {
            return new Question(topic, dayStart, end, "today", provider, rank);
        }
        LocalDate monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        if (q.contains("last week") || q.contains("previous week")) {
            return new Question(topic, start(monday.minusWeeks(1)), start(monday), "last week", provider, rank);
        }
        if (q.contains("this week")) {
            return new Question(topic, start(monday), end, "this week", provider, rank);
        }
        LocalDate first = today.withDayOfMonth(1);
        if (q.contains("last month") || q.contains("previous month")) {
            return new Question(topic, start(first.minusMonths(1)), start(first), "last month", provider, rank);
        }
        if (q.contains("this month")) {
            return new Question(topic, start(first), end, "this month", provider, rank);
        }
        if (q.contains("last 24 hours") || q.contains("past day")) {
            return new Question(topic, now.minus(Duration.ofDays(1)), end, "in the last 24 hours", provider, rank);
        }
        return new Question(topic, now.minus(DEFAULT_RANGE), end, "in the last 7 days", provider, rank);
    }

    private static Instant start(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static boolean has(String q, String... words) {
        for (String word : words) {
            if (q.contains(" " + word + " ") || q.contains(" " + word + "'") || q.contains(" " + word + "?")
                    || q.contains(" " + word + ".")) {
                return true;
            }
        }
        return false;
    }
}
