package dev.smartflow.core.alerts;

import dev.smartflow.core.audit.AuditListener;
import dev.smartflow.core.budget.Budgets;
import dev.smartflow.core.budget.KeySpend;
import dev.smartflow.core.budget.SpendListener;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Alerts to chat webhooks (Slack, Microsoft Teams, Discord; see {@link AlertChannel}), raised by four rules and by
 * hand:
 * <ul>
 *   <li><b>BudgetThreshold</b>: a virtual key's spend in its period reaches a configured percentage of its budget
 *       (told by the budget hook, {@link SpendListener}); or a provider's spend, as this process has seen it in its
 *       audit records since the period began (or the process started), reaches a percentage of the daily, weekly or
 *       monthly budget configured for it. Each threshold fires once per key (or provider budget) and period; when
 *       spend jumps past several at once, only the highest. A reset period arms them again.</li>
 *   <li><b>ProviderFailure</b>: over a sliding window, a provider's share of failed calls (status 5xx or 429 after
 *       reaching it) reaches the threshold, with at least a minimum number of calls in the window.</li>
 *   <li><b>SlowRequest</b>: a call took at least the latency threshold (to its answer; a stream, to its end).</li>
 *   <li><b>Custom</b>: {@link #send} an {@link Alert} of your own (the management API's {@code POST /api/alerts}).</li>
 * </ul>
 *
 * <p><b>Fire and forget.</b> Rules run on the caller's thread and do no I/O: they count, compare and, when an alert
 * is due, queue one delivery per channel on a small pool of worker threads with a bounded queue. When the queue is
 * full the delivery is dropped and counted ({@link Stats#dropped()}), never waited for. A webhook that fails or
 * answers an error status is logged (by channel name: webhook URLs are secrets and never logged) and counted; it is
 * not retried.
 *
 * <p><b>Duplicates.</b> Alerts with the same {@link Alert#dedupeKey()} (a provider's failure alert, a provider and
 * model's slow-request alert, an identical custom alert) are sent once per dedupe window; the rest are suppressed and
 * counted.
 *
 * <p>Thread-safe. {@link #close()} stops taking alerts and waits briefly for queued deliveries.
 *
 * <pre>{@code
 * try (Alerts alerts = Alerts.builder()
 *         .channel(AlertChannel.slack(URI.create(System.getenv("SLACK_WEBHOOK_URL"))))
 *         .budgetThresholds(80, 100)
 *         .providerBudget("openai", BudgetPeriod.MONTHLY, 500_000_000)   // $500 a month
 *         .slowRequest(Duration.ofSeconds(20))
 *         .build()) {
 *     Smartflow smartflow = Smartflow.builder().resolver(registry).pricing(catalog)
 *             .addAuditListener(alerts).addSpendListener(alerts).build();
 *     alerts.send(Alert.custom("Deploy finished", "gateway 1.4 is live", Severity.INFO));
 * }
 * }</pre>
 */
public final class Alerts implements AuditListener, SpendListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Alerts.class.getName());
    private static final String NONE = "none";
    /** Past this many remembered dedupe keys, expired ones are swept before a new one is added. */
    private static final int MAX_RECENT = 10_000;

    /** What became of an alert handed to {@link #send}. */
    public enum Outcome {
        /** Queued for delivery to at least one channel. */
        QUEUED,
        /** The same alert was sent within the dedupe window; not sent again. */
        SUPPRESSED,
        /** The delivery queue was full (or the service closed); nothing was sent. */
        DROPPED
    }

    /**
     * Counts since the service started; each of {@code queued}, {@code delivered}, {@code failed} and
     * {@code dropped} counts one per channel, {@code suppressed} one per alert.
     */
    public record Stats(long queued, long delivered, long failed, long dropped, long suppressed) {
    }

    /**
     * A budget for a provider, for the BudgetThreshold rule.
     *
     * @param provider    the provider's name, as the audit records give it (e.g. {@code openai})
     * @param period      {@link BudgetPeriod#DAILY}, {@link BudgetPeriod#WEEKLY} or {@link BudgetPeriod#MONTHLY}
     * @param limitMicros the budget in micro-USD; positive
     */
    public record ProviderBudget(String provider, BudgetPeriod period, long limitMicros) {
        public ProviderBudget {
            Objects.requireNonNull(provider, "provider");
            if (provider.isBlank()) {
                throw new IllegalArgumentException("a provider budget needs a provider name");
            }
            Objects.requireNonNull(period, "period");
            if (period == BudgetPeriod.LIFETIME) {
                throw new IllegalArgumentException("a provider budget is daily, weekly or monthly, not lifetime");
            }
            if (limitMicros <= 0) {
                throw new IllegalArgumentException("a provider budget must be positive, not " + limitMicros);
            }
        }
    }

    private final List<AlertChannel> channels;
    private final InstantSource clock;
    private final Thresholds thresholds;
    private final Map<String, List<ProviderSpend>> providerBudgets;
    private final double errorRate;
    private final long errorWindowMillis;
    private final int errorMinCalls;
    private final long slowMicros;
    private final long dedupeMillis;
    private final Duration requestTimeout;
    private final Duration closeTimeout;
    private final ConcurrentHashMap<String, ErrorWindow> windows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> recent = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor executor;
    private final HttpClient http;
    private final LongAdder queued = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong dropped = new AtomicLong();
    private final LongAdder suppressed = new LongAdder();
    private volatile boolean closed;

    private Alerts(Builder builder) {
        this.channels = List.copyOf(builder.channels);
        this.clock = builder.clock;
        this.thresholds = new Thresholds(builder.thresholds);
        Map<String, List<ProviderSpend>> budgets = new HashMap<>();
        builder.providerBudgets.forEach(b -> budgets.computeIfAbsent(b.provider(), p -> new ArrayList<>())
                .add(new ProviderSpend(b)));
        budgets.replaceAll((provider, list) -> List.copyOf(list));
        this.providerBudgets = Map.copyOf(budgets);
        this.errorRate = builder.errorRate;
        this.errorWindowMillis = builder.errorWindow.toMillis();
        this.errorMinCalls = builder.errorMinCalls;
        this.slowMicros = builder.slowRequest.toNanos() / 1_000;
        this.dedupeMillis = builder.dedupeWindow.toMillis();
        this.requestTimeout = builder.requestTimeout;
        this.closeTimeout = builder.closeTimeout;
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(builder.threads, builder.threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(builder.queueCapacity),
                task -> Thread.ofPlatform().daemon().name("smartflow-alerts-" + threadNumber.incrementAndGet())
                        .unstarted(task),
                new ThreadPoolExecutor.AbortPolicy());
        this.executor.allowCoreThreadTimeOut(true);
        // HTTP/1.1: one small POST per alert gains nothing from HTTP/2, and plain-http receivers get no h2c upgrade
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(builder.requestTimeout).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Queues {@code alert} for every channel, unless an alert with the same dedupe key went out within the dedupe
     * window. Never blocks.
     */
    public Outcome send(Alert alert) {
        Objects.requireNonNull(alert, "alert");
        long now = clock.millis();
        if (!claim(alert.dedupeKey(), now)) {
            suppressed.increment();
            return Outcome.SUPPRESSED;
        }
        Instant at = Instant.ofEpochMilli(now);
        int accepted = 0;
        for (AlertChannel channel : channels) {
            try {
                if (closed) {
                    throw new RejectedExecutionException("closed");
                }
                executor.execute(() -> deliver(channel, alert, at));
                queued.increment();
                accepted++;
            } catch (RejectedExecutionException e) {
                long total = dropped.incrementAndGet();
                if (total == 1 || total % 100 == 0) {
                    LOG.log(System.Logger.Level.WARNING, "alert queue full or closed: " + total
                            + " deliveries dropped so far");
                }
            }
        }
        if (accepted == 0) {
            // nothing went out, so the next attempt is not a duplicate
            recent.remove(alert.dedupeKey(), now);
            return Outcome.DROPPED;
        }
        return Outcome.QUEUED;
    }

    /** Runs the SlowRequest, ProviderFailure and provider BudgetThreshold rules; no I/O. */
    @Override
    public void onRecord(AuditRecord record) {
        if (closed) {
            return;
        }
        if (slowMicros > 0 && record.latencyMicros() >= slowMicros) {
            send(slowRequest(record));
        }
        String provider = record.provider();
        if (NONE.equals(provider)) {
            return;
        }
        long now = clock.millis();
        ErrorWindow window = windows.get(provider);
        if (window == null) {
            window = windows.computeIfAbsent(provider, p -> new ErrorWindow(errorWindowMillis));
        }
        boolean failure = record.status() >= 500 || record.status() == 429;
        ErrorWindow.Spike spike = window.record(now, failure, errorRate, errorMinCalls);
        if (spike != null) {
            send(providerFailure(provider, spike));
        }
        if (record.costMicros() > 0) {
            List<ProviderSpend> budgets = providerBudgets.get(provider);
            if (budgets != null) {
                for (ProviderSpend budget : budgets) {
                    budget.add(now, record.costMicros());
                }
            }
        }
    }

    /** Runs the key BudgetThreshold rule. */
    @Override
    public void onSpend(KeySpend spend) {
        if (closed || spend.limitMicros().isEmpty()) {
            return;
        }
        long limit = spend.limitMicros().getAsLong();
        thresholds.reached("key:" + spend.keyId().value(), spend.periodKey(), spend.spentMicros(), limit)
                .ifPresent(percent -> send(new Alert(AlertType.BUDGET_THRESHOLD, budgetSeverity(percent),
                        "Budget " + percent + "% reached: key " + spend.keyName(),
                        "Virtual key '" + spend.keyName() + "' (" + spend.keyId().value() + ") has spent "
                                + usd(spend.spentMicros()) + " of its " + periodName(spend.period()) + " budget of "
                                + usd(limit) + " in period " + spend.periodKey() + ".",
                        List.of(new Alert.Fact("key_id", spend.keyId().value()),
                                new Alert.Fact("spent", usd(spend.spentMicros())),
                                new Alert.Fact("budget", usd(limit)),
                                new Alert.Fact("period", spend.periodKey())),
                        "budget:key:" + spend.keyId().value() + ":" + spend.periodKey() + ":" + percent)));
    }

    /** Counts since the service started. */
    public Stats stats() {
        return new Stats(queued.sum(), delivered.sum(), failed.sum(), dropped.get(), suppressed.sum());
    }

    /** The channels alerts go to (their names; never their URLs). */
    public List<String> channels() {
        return channels.stream().map(AlertChannel::name).toList();
    }

    /** Stops taking alerts, waits up to the close timeout for queued deliveries, then stops the workers. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdown();
        boolean finished;
        try {
            finished = executor.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (finished) {
            http.close();
        } else {
            executor.shutdownNow();
            http.shutdownNow();
        }
    }

    /** Whether {@code key} may go out now: unseen, or last sent a dedupe window ago or more. Remembers it if so. */
    private boolean claim(String key, long now) {
        if (dedupeMillis <= 0) {
            return true;
        }
        if (recent.size() > MAX_RECENT) {
            recent.values().removeIf(last -> now - last >= dedupeMillis);
        }
        boolean[] fresh = {false};
        recent.compute(key, (k, last) -> {
            if (last == null || now - last >= dedupeMillis) {
                fresh[0] = true;
                return now;
            }
            return last;
        });
        return fresh[0];
    }

    private void deliver(AlertChannel channel, Alert alert, Instant at) {
        String what = "a " + alert.type().label() + " alert to the " + channel.name() + " webhook";
        try {
            byte[] body = Body.MAPPER.writeValueAsBytes(channel.payload(alert, at));
            HttpRequest request = HttpRequest.newBuilder(channel.webhook()).timeout(requestTimeout)
                    .header("Content-Type", "application/json").header("User-Agent", "smartflow-alerts")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                delivered.increment();
            } else {
                failed.increment();
                LOG.log(System.Logger.Level.WARNING, "sending " + what + " failed: HTTP " + status);
            }
        } catch (InterruptedException e) {
            failed.increment();
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failed.increment();
            // only the exception's class: messages of URI and connection errors can carry the secret URL
            LOG.log(System.Logger.Level.WARNING, "sending " + what + " failed: " + e.getClass().getName());
        }
    }

    private Alert slowRequest(AuditRecord record) {
        String seconds = seconds(record.latencyMicros());
        return new Alert(AlertType.SLOW_REQUEST, Severity.WARNING,
                "Slow request: " + record.provider() + "/" + record.model() + " took " + seconds,
                "Request " + record.requestId() + " to " + record.provider() + " (model " + record.model()
                        + ") took " + seconds + ", at or above the threshold of " + seconds(slowMicros)
                        + "; it answered HTTP " + record.status() + ".",
                List.of(new Alert.Fact("request_id", record.requestId()),
                        new Alert.Fact("provider", record.provider()),
                        new Alert.Fact("model", record.model()),
                        new Alert.Fact("latency", seconds),
                        new Alert.Fact("key_id", record.keyId().map(KeyId::value).orElse("-"))),
                "slow:" + record.provider() + ":" + record.model());
    }

    private Alert providerFailure(String provider, ErrorWindow.Spike spike) {
        long percent = Math.round(100.0 * spike.failures() / spike.calls());
        return new Alert(AlertType.PROVIDER_FAILURE, Severity.CRITICAL,
                "Provider " + provider + " failing: " + percent + "% of calls",
                spike.failures() + " of the last " + spike.calls() + " calls to " + provider + " failed within "
                        + Duration.ofMillis(errorWindowMillis).toString().substring(2).toLowerCase(Locale.ROOT)
                        + " (alert threshold " + Math.round(errorRate * 100) + "%).",
                List.of(new Alert.Fact("provider", provider),
                        new Alert.Fact("failed", Long.toString(spike.failures())),
                        new Alert.Fact("calls", Long.toString(spike.calls()))),
                "provider-failure:" + provider);
    }

    private static Severity budgetSeverity(int percent) {
        return percent >= 100 ? Severity.CRITICAL : Severity.WARNING;
    }

    private static String periodName(BudgetPeriod period) {
        return period.name().toLowerCase(Locale.ROOT);
    }

    /** Dollars: cents when the amount is whole cents, else every micro-dollar digit that is not zero. */
    static String usd(long micros) {
        BigDecimal dollars = BigDecimal.valueOf(micros, 6);
        return "$" + (micros % 10_000 == 0 ? dollars.setScale(2, RoundingMode.UNNECESSARY)
                : dollars.stripTrailingZeros()).toPlainString();
    }

    private static String seconds(long micros) {
        return BigDecimal.valueOf(micros / 1_000, 3).setScale(1, RoundingMode.HALF_UP).toPlainString() + " s";
    }

    /** A provider budget's spend in its current period, as this process has seen it. */
    private final class ProviderSpend {
        /** The period under way: its key, when it ends, and what it has spent. */
        private record Period(String key, long startMillis, long endMillis, AtomicLong spent) {
        }

        private final ProviderBudget budget;
        private final String subject;
        private final AtomicReference<Period> current = new AtomicReference<>(new Period("", 0, 0, new AtomicLong()));

        ProviderSpend(ProviderBudget budget) {
            this.budget = budget;
            this.subject = "provider:" + budget.provider() + ":" + budget.period();
        }

        void add(long now, long micros) {
            Period period = current.get();
            if (now < period.startMillis() || now >= period.endMillis()) {
                Period next = period(now);
                period = current.compareAndSet(period, next) ? next : current.get();
            }
            long spent = period.spent().addAndGet(micros);
            String periodKey = period.key();
            thresholds.reached(subject, periodKey, spent, budget.limitMicros())
                    .ifPresent(percent -> send(alert(percent, periodKey, spent)));
        }

        private Period period(long now) {
            Instant at = Instant.ofEpochMilli(now);
            LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
            LocalDate start = switch (budget.period()) {
                case DAILY -> day;
                case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                case MONTHLY -> day.withDayOfMonth(1);
                case LIFETIME -> throw new IllegalStateException("provider budgets are not lifetime");
            };
            LocalDate end = switch (budget.period()) {
                case DAILY -> start.plusDays(1);
                case WEEKLY -> start.plusWeeks(1);
                default -> start.plusMonths(1);
            };
            return new Period(Budgets.periodKey(budget.period(), at),
                    start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(),
                    end.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(), new AtomicLong());
        }

        private Alert alert(int percent, String periodKey, long spent) {
            String provider = budget.provider();
            return new Alert(AlertType.BUDGET_THRESHOLD, budgetSeverity(percent),
                    "Budget " + percent + "% reached: provider " + provider,
                    "Calls to " + provider + " have cost " + usd(spent) + " of its " + periodName(budget.period())
                            + " budget of " + usd(budget.limitMicros()) + " in period " + periodKey
                            + " (as seen by this gateway instance).",
                    List.of(new Alert.Fact("provider", provider),
                            new Alert.Fact("spent", usd(spent)),
                            new Alert.Fact("budget", usd(budget.limitMicros())),
                            new Alert.Fact("period", periodKey)),
                    "budget:" + subject + ":" + periodKey + ":" + percent);
        }
    }

    /**
     * Configures {@link Alerts}. At least one channel is required; every rule has a default. {@link #build()} starts
     * the delivery pool (its threads start with the first alert and stop when idle).
     */
    public static final class Builder {
        private static final int[] DEFAULT_BUDGET_THRESHOLDS = {80, 100};
        public static final double DEFAULT_ERROR_RATE = 0.5;
        public static final Duration DEFAULT_ERROR_WINDOW = Duration.ofMinutes(5);
        public static final int DEFAULT_ERROR_MIN_CALLS = 20;
        public static final Duration DEFAULT_SLOW_REQUEST = Duration.ofSeconds(30);
        public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofMinutes(10);
        public static final int DEFAULT_QUEUE_CAPACITY = 256;
        public static final int DEFAULT_THREADS = 2;
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

        private final List<AlertChannel> channels = new ArrayList<>();
        private final List<ProviderBudget> providerBudgets = new ArrayList<>();
        private int[] thresholds = DEFAULT_BUDGET_THRESHOLDS.clone();
        private double errorRate = DEFAULT_ERROR_RATE;
        private Duration errorWindow = DEFAULT_ERROR_WINDOW;
        private int errorMinCalls = DEFAULT_ERROR_MIN_CALLS;
        private Duration slowRequest = DEFAULT_SLOW_REQUEST;
        private Duration dedupeWindow = DEFAULT_DEDUPE_WINDOW;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private int threads = DEFAULT_THREADS;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration closeTimeout = Duration.ofSeconds(5);
        private InstantSource clock = InstantSource.system();

        private Builder() {
        }

        /** Adds a channel every alert goes to. */
        public Builder channel(AlertChannel channel) {
            channels.add(Objects.requireNonNull(channel, "channel"));
            return this;
        }

        /**
         * The percentages of a budget at which BudgetThreshold fires (default 80 and 100); none turns the rule off.
         *
         * @throws IllegalArgumentException if a percentage is outside 1..1000
         */
        public Builder budgetThresholds(int... percents) {
            for (int percent : percents) {
                if (percent < 1 || percent > 1000) {
                    throw new IllegalArgumentException("a budget threshold is a percentage in 1..1000, not "
                            + percent);
                }
            }
            this.thresholds = Arrays.stream(percents).distinct().sorted().toArray();
            return this;
        }

        /** A budget for a provider's spend, watched by BudgetThreshold; one per provider and period. */
        public Builder providerBudget(String provider, BudgetPeriod period, long limitMicros) {
            ProviderBudget budget = new ProviderBudget(provider, period, limitMicros);
            if (providerBudgets.stream().anyMatch(b -> b.provider().equals(provider) && b.period() == period)) {
                throw new IllegalArgumentException("provider " + provider + " already has a "
                        + periodName(period) + " budget");
            }
            providerBudgets.add(budget);
            return this;
        }

        /**
         * ProviderFailure fires when at least {@code minCalls} calls in the last {@code window} reached the provider
         * and {@code rate} of them or more failed (defaults: 0.5, 5 minutes, 20 calls).
         *
         * @throws IllegalArgumentException if {@code rate} is outside (0, 1], the window is under a second or
         *                                  {@code minCalls} under 1
         */
        public Builder errorRate(double rate, Duration window, int minCalls) {
            if (!(rate > 0 && rate <= 1)) {
                throw new IllegalArgumentException("the error rate threshold is in (0, 1], not " + rate);
            }
            Objects.requireNonNull(window, "window");
            if (window.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("the error window must be at least 1s, not " + window);
            }
            if (minCalls < 1) {
                throw new IllegalArgumentException("the minimum number of calls must be at least 1, not "
                        + minCalls);
            }
            this.errorRate = rate;
            this.errorWindow = window;
            this.errorMinCalls = minCalls;
            return this;
        }

        /** SlowRequest fires for calls taking at least {@code threshold} (default 30 s); zero turns it off. */
        public Builder slowRequest(Duration threshold) {
            this.slowRequest = nonNegative(threshold, "slowRequest");
            return this;
        }

        /** How long an alert's duplicates are suppressed (default 10 minutes); zero sends every one. */
        public Builder dedupeWindow(Duration window) {
            this.dedupeWindow = nonNegative(window, "dedupeWindow");
            return this;
        }

        /** Deliveries waiting for a worker before further ones are dropped (default 256). */
        public Builder queueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be at least 1, not " + capacity);
            }
            this.queueCapacity = capacity;
            return this;
        }

        /** Worker threads posting to webhooks (default 2). */
        public Builder threads(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("threads must be at least 1, not " + count);
            }
            this.threads = count;
            return this;
        }

        /** How long one webhook call may take, connecting included (default 10 s). */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "requestTimeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("requestTimeout must be positive, not " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /** How long {@link Alerts#close()} waits for queued deliveries (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = nonNegative(timeout, "closeTimeout");
            return this;
        }

        /** The clock for windows, periods and timestamps; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @throws IllegalStateException if no channel was added */
        public Alerts build() {
            if (channels.isEmpty()) {
                throw new IllegalStateException("alerts need at least one channel: Alerts.builder().channel(...)");
            }
            return new Alerts(this);
        }

        private static Duration nonNegative(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, not " + duration);
            }
            return duration;
        }
    }
}
