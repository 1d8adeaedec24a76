package dev.smartflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.alerts.AlertChannel;
import dev.smartflow.core.alerts.Alerts;
import dev.smartflow.core.spi.BudgetPeriod;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code alerts} section of the configuration, each key overridable from the environment. Alerts run when
 * {@code enabled} ({@code SMARTFLOW_ALERTS_ENABLED=true}) and at least one webhook URL is set.
 *
 * @param enabled          {@code enabled}, {@code SMARTFLOW_ALERTS_ENABLED}; off by default
 * @param slack            {@code slack_webhook_url}, {@code SLACK_WEBHOOK_URL}
 * @param teams            {@code teams_webhook_url}, {@code TEAMS_WEBHOOK_URL}
 * @param discord          {@code discord_webhook_url}, {@code DISCORD_WEBHOOK_URL}
 * @param budgetThresholds {@code budget_thresholds}, {@code SMARTFLOW_ALERTS_BUDGET_THRESHOLDS} ({@code 80,100}):
 *                         percentages of a key's or provider's budget that raise BudgetThreshold
 * @param providerBudgets  {@code provider_budgets} ({@code openai: {daily_usd: 50, monthly_usd: 1000}}),
 *                         {@code SMARTFLOW_ALERTS_PROVIDER_BUDGETS} ({@code openai:monthly:1000,groq:daily:20})
 * @param errorRate        {@code error_rate}, {@code SMARTFLOW_ALERTS_ERROR_RATE}: the failed share of a provider's
 *                         calls that raises ProviderFailure (0.5)
 * @param errorWindow      {@code error_window}, {@code SMARTFLOW_ALERTS_ERROR_WINDOW}: the sliding window (5m)
 * @param errorMinRequests {@code error_min_requests}, {@code SMARTFLOW_ALERTS_ERROR_MIN_REQUESTS}: calls needed in the
 *                         window before the rate counts (20)
 * @param slowRequest      {@code slow_request}, {@code SMARTFLOW_ALERTS_SLOW_REQUEST}: latency that raises
 *                         SlowRequest (30s; 0 turns it off)
 * @param dedupeWindow     {@code dedupe_window}, {@code SMARTFLOW_ALERTS_DEDUPE_WINDOW}: how long duplicates are
 *                         suppressed (10m)
 * @param queueSize        {@code queue_size}, {@code SMARTFLOW_ALERTS_QUEUE_SIZE}: deliveries waiting before more are
 *                         dropped (256)
 */
public record AlertSettings(boolean enabled, Optional<URI> slack, Optional<URI> teams, Optional<URI> discord,
                            List<Integer> budgetThresholds, List<Alerts.ProviderBudget> providerBudgets,
                            double errorRate, Duration errorWindow, int errorMinRequests, Duration slowRequest,
                            Duration dedupeWindow, int queueSize) {
    private static final BigDecimal MICROS_PER_USD = BigDecimal.valueOf(1_000_000);

    public AlertSettings {
        Objects.requireNonNull(slack, "slack");
        Objects.requireNonNull(teams, "teams");
        Objects.requireNonNull(discord, "discord");
        budgetThresholds = List.copyOf(budgetThresholds);
        providerBudgets = List.copyOf(providerBudgets);
        Objects.requireNonNull(errorWindow, "errorWindow");
        Objects.requireNonNull(slowRequest, "slowRequest");
        Objects.requireNonNull(dedupeWindow, "dedupeWindow");
        // the rules' own checks, so a bad value fails at startup with the builder's message
        Alerts.Builder check = Alerts.builder()
                .budgetThresholds(budgetThresholds.stream().mapToInt(Integer::intValue).toArray())
                .errorRate(errorRate, errorWindow, errorMinRequests)
                .slowRequest(slowRequest).dedupeWindow(dedupeWindow).queueCapacity(queueSize);
        providerBudgets.forEach(b -> check.providerBudget(b.provider(), b.period(), b.limitMicros()));
    }

    /** Defaults, then the {@code alerts} node of the file (may be missing), then {@code env}. */
    static AlertSettings load(JsonNode alerts, Map<String, String> env) {
        boolean enabled = bool("SMARTFLOW_ALERTS_ENABLED", setting(env, "SMARTFLOW_ALERTS_ENABLED", alerts, "enabled")
                .orElse("false"));
        Optional<URI> slack = url(env, "SLACK_WEBHOOK_URL", alerts, "slack_webhook_url");
        Optional<URI> teams = url(env, "TEAMS_WEBHOOK_URL", alerts, "teams_webhook_url");
        Optional<URI> discord = url(env, "DISCORD_WEBHOOK_URL", alerts, "discord_webhook_url");
        List<Integer> thresholds = thresholds(env, alerts);
        List<Alerts.ProviderBudget> providerBudgets = providerBudgets(env, alerts);
        double errorRate = setting(env, "SMARTFLOW_ALERTS_ERROR_RATE", alerts, "error_rate")
                .map(v -> decimal("alerts.error_rate", v).doubleValue()).orElse(Alerts.Builder.DEFAULT_ERROR_RATE);
        Duration errorWindow = setting(env, "SMARTFLOW_ALERTS_ERROR_WINDOW", alerts, "error_window")
                .map(v -> ServerConfig.duration("alerts.error_window", v)).orElse(Alerts.Builder.DEFAULT_ERROR_WINDOW);
        int errorMinRequests = setting(env, "SMARTFLOW_ALERTS_ERROR_MIN_REQUESTS", alerts, "error_min_requests")
                .map(v -> whole("alerts.error_min_requests", v)).orElse(Alerts.Builder.DEFAULT_ERROR_MIN_CALLS);
        Duration slowRequest = setting(env, "SMARTFLOW_ALERTS_SLOW_REQUEST", alerts, "slow_request")
                .map(v -> ServerConfig.duration("alerts.slow_request", v)).orElse(Alerts.Builder.DEFAULT_SLOW_REQUEST);
        Duration dedupeWindow = setting(env, "SMARTFLOW_ALERTS_DEDUPE_WINDOW", alerts, "dedupe_window")
                .map(v -> ServerConfig.duration("alerts.dedupe_window", v))
                .orElse(Alerts.Builder.DEFAULT_DEDUPE_WINDOW);
        int queueSize = setting(env, "SMARTFLOW_ALERTS_QUEUE_SIZE", alerts, "queue_size")
                .map(v -> whole("alerts.queue_size", v)).orElse(Alerts.Builder.DEFAULT_QUEUE_CAPACITY);
        return new AlertSettings(enabled, slack, teams, discord, thresholds, providerBudgets, errorRate, errorWindow,
                errorMinRequests, slowRequest, dedupeWindow, queueSize);
    }

    /** Whether alerts run: enabled, with somewhere to send them. */
    public boolean active() {
        return enabled && (slack.isPresent() || teams.isPresent() || discord.isPresent());
    }

    /** The alert service these settings describe, when {@link #active()}; the caller closes it. */
    public Optional<Alerts> build(InstantSource clock) {
        if (!active()) {
            return Optional.empty();
        }
        Alerts.Builder builder = Alerts.builder().clock(clock)
                .budgetThresholds(budgetThresholds.stream().mapToInt(Integer::intValue).toArray())
                .errorRate(errorRate, errorWindow, errorMinRequests)
                .slowRequest(slowRequest).dedupeWindow(dedupeWindow).queueCapacity(queueSize);
        slack.map(AlertChannel::slack).ifPresent(builder::channel);
        teams.map(AlertChannel::teams).ifPresent(builder::channel);
        discord.map(AlertChannel::discord).ifPresent(builder::channel);
        providerBudgets.forEach(b -> builder.providerBudget(b.provider(), b.period(), b.limitMicros()));
        return Optional.of(builder.build());
    }

    /** The settings with the webhook URLs (secrets) masked. */
    @Override
    public String toString() {
        return "AlertSettings[enabled=" + enabled + ", slack=" + masked(slack) + ", teams=" + masked(teams)
                + ", discord=" + masked(discord) + ", budgetThresholds=" + budgetThresholds + ", providerBudgets="
                + providerBudgets + ", errorRate=" + errorRate + ", errorWindow=" + errorWindow + ", errorMinRequests="
                + errorMinRequests + ", slowRequest=" + slowRequest + ", dedupeWindow=" + dedupeWindow
                + ", queueSize=" + queueSize + "]";
    }

    private static String masked(Optional<URI> url) {
        return url.isPresent() ? "██" : "unset";
    }

    private static Optional<String> setting(Map<String, String> env, String variable, JsonNode alerts, String field) {
        Optional<String> fromFile = Optional.ofNullable(alerts.get(field)).filter(JsonNode::isValueNode)
                .map(JsonNode::asText);
        return Optional.ofNullable(env.get(variable)).or(() -> fromFile).map(String::strip).filter(v -> !v.isEmpty());
    }

    /** A webhook URL; the error never repeats the value, which is a secret. */
    private static Optional<URI> url(Map<String, String> env, String variable, JsonNode alerts, String field) {
        return setting(env, variable, alerts, field).map(value -> {
            try {
                URI uri = new URI(value);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                // reported below without the value
            }
            throw new IllegalArgumentException(variable + " (alerts." + field + ") must be an http(s) URL");
        });
    }

    private static List<Integer> thresholds(Map<String, String> env, JsonNode alerts) {
        List<String> values = new ArrayList<>();
        if (env.containsKey("SMARTFLOW_ALERTS_BUDGET_THRESHOLDS")) {
            for (String v : env.get("SMARTFLOW_ALERTS_BUDGET_THRESHOLDS").split(",")) {
                if (!v.isBlank()) {
                    values.add(v.strip());
                }
            }
        } else if (alerts.path("budget_thresholds").isArray()) {
            alerts.path("budget_thresholds").forEach(v -> values.add(v.asText()));
        } else {
            return List.of(80, 100);
        }
        List<Integer> thresholds = new ArrayList<>();
        for (String value : values) {
            thresholds.add(whole("alerts.budget_thresholds", value.replace("%", "")));
        }
        return thresholds;
    }

    private static List<Alerts.ProviderBudget> providerBudgets(Map<String, String> env, JsonNode alerts) {
        List<Alerts.ProviderBudget> budgets = new ArrayList<>();
        String fromEnv = env.get("SMARTFLOW_ALERTS_PROVIDER_BUDGETS");
        if (fromEnv != null) {
            for (String entry : fromEnv.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                String[] parts = entry.strip().split(":");
                if (parts.length != 3) {
                    throw new IllegalArgumentException("SMARTFLOW_ALERTS_PROVIDER_BUDGETS entries are"
                            + " provider:daily|weekly|monthly:usd, not '" + entry.strip() + "'");
                }
                budgets.add(budget(parts[0].strip(), period(parts[1].strip()), parts[2].strip()));
            }
            return budgets;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = alerts.path("provider_budgets").properties().iterator();
             it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String provider = entry.getKey().toLowerCase(Locale.ROOT);
            for (BudgetPeriod period : List.of(BudgetPeriod.DAILY, BudgetPeriod.WEEKLY, BudgetPeriod.MONTHLY)) {
                JsonNode usd = entry.getValue().get(period.name().toLowerCase(Locale.ROOT) + "_usd");
                if (usd != null && !usd.isNull()) {
                    budgets.add(budget(provider, period, usd.asText()));
                }
            }
        }
        return budgets;
    }

    private static Alerts.ProviderBudget budget(String provider, BudgetPeriod period, String usd) {
        String what = "alerts.provider_budgets." + provider;
        BigDecimal dollars = decimal(what, usd);
        if (dollars.signum() <= 0) {
            throw new IllegalArgumentException(what + " must be a positive number of US dollars, not '" + usd + "'");
        }
        long micros;
        try {
            micros = dollars.multiply(MICROS_PER_USD).setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + " is too large");
        }
        return new Alerts.ProviderBudget(provider, period, micros);
    }

    private static BudgetPeriod period(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "daily" -> BudgetPeriod.DAILY;
            case "weekly" -> BudgetPeriod.WEEKLY;
            case "monthly" -> BudgetPeriod.MONTHLY;
            default -> throw new IllegalArgumentException("a provider budget's period is daily, weekly or monthly,"
                    + " not '" + value + "'");
        };
    }

    private static boolean bool(String what, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(what + " must be true or false, not '" + value + "'");
        };
    }

    private static BigDecimal decimal(String what, String value) {
        try {
            return new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, not '" + value + "'");
        }
    }

    private static int whole(String what, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not '" + value + "'");
        }
    }
}
