package dev.smartflow.core.metrics;

import dev.smartflow.core.audit.AuditListener;
import dev.smartflow.core.budget.KeySpend;
import dev.smartflow.core.budget.SpendListener;
import dev.smartflow.core.routing.AttemptOutcome;
import dev.smartflow.core.spi.AuditRecord;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The gateway's Prometheus metrics, kept with the official Prometheus Java client in a registry of their own
 * ({@link #registry()}, never the client's global default, so two gateways in one JVM do not mix their figures).
 * Fed by the audit hook ({@link AuditListener}: one {@link AuditRecord} per call) and the budget hook
 * ({@link SpendListener}); the MCP gateway reports its calls with {@link #mcpCall}.
 *
 * <table>
 *   <caption>Series</caption>
 *   <tr><td>{@code smartflow_requests_total{provider,model,status}}</td><td>calls, by HTTP status answered</td></tr>
 *   <tr><td>{@code smartflow_request_latency_seconds{provider}}</td><td>histogram of time to the answer (a stream:
 *       to its end), buckets from 5 ms to 2 min</td></tr>
 *   <tr><td>{@code smartflow_cache_hits_total{tier}}</td><td>calls the cache answered, by how it matched</td></tr>
 *   <tr><td>{@code smartflow_cache_misses_total}</td><td>calls that went to a provider</td></tr>
 *   <tr><td>{@code smartflow_provider_errors_total{provider,error}}</td><td>failed provider attempts, by error code,
 *       each counted against its own provider (one a fallback recovered from too; a stream the client closed is not
 *       one)</td></tr>
 *   <tr><td>{@code smartflow_tokens_total{provider,model,type}}</td><td>tokens, {@code type} prompt or
 *       completion</td></tr>
 *   <tr><td>{@code smartflow_cost_usd_total{provider,model}}</td><td>cost in USD (priced calls)</td></tr>
 *   <tr><td>{@code smartflow_mcp_calls_total{server,tool,status}}</td><td>MCP tool calls</td></tr>
 *   <tr><td>{@code smartflow_vkey_spend_usd{key_id}}</td><td>a virtual key's spend in its current budget period,
 *       as of its last settled call (keys with a budget)</td></tr>
 * </table>
 * Calls refused before any provider was tried carry {@code provider="none"}. Labels hold key ids, never tokens.
 *
 * <p><b>Cost on the hot path.</b> {@link #onRecord} runs on the request's thread for every call, so it looks each
 * series' data point up once and keeps it: after the first call of a provider and model, recording a call is a few
 * map reads and atomic adds, with no label arrays built. <b>Cardinality.</b> Model names and error codes can come
 * from callers (a refused call records the model it asked for) or upstreams, so each label keeps at most
 * {@link #DEFAULT_MAX_LABEL_VALUES} values per parent (models per provider, errors per provider, tiers, keys, MCP
 * calls), each at most {@link #MAX_LABEL_LENGTH} characters long; later or longer values are counted under
 * {@value #OTHER}.
 *
 * <p>Thread-safe. The registry can be scraped at any time; the server writes it in Prometheus text format:
 * <pre>{@code
 * Metrics metrics = new Metrics();
 * Smartflow smartflow = Smartflow.builder().resolver(registry).pricing(catalog)
 *         .addAuditListener(metrics).addSpendListener(metrics)
 *         .build();
 * // in-process, with prometheus-metrics-exposition-textformats:
 * PrometheusTextFormatWriter.create().write(System.out, metrics.registry().scrape());
 * }</pre>
 */
public final class Metrics implements AuditListener, SpendListener {
    /** How many values each label keeps per parent before further ones are counted as {@value #OTHER}. */
    public static final int DEFAULT_MAX_LABEL_VALUES = 500;
    /**
     * The longest label value kept; a longer one is counted as {@value #OTHER}, so that a caller's names cannot grow
     * the registry (and every scrape) by megabytes.
     */
    public static final int MAX_LABEL_LENGTH = 256;
    /** The label value that stands for every value past the cap. */
    public static final String OTHER = "other";
    /** Latency buckets in seconds: a cache hit (ms) to a long completion (tens of seconds) and beyond. */
    static final double[] LATENCY_BUCKETS = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120
    };
    private static final String NONE = "none";
    /** HTTP statuses 100..599, as {@link AuditRecord} guarantees. */
    private static final int STATUSES = 500;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final int maxLabelValues;
    private final Counter requests;
    private final Histogram latency;
    private final Counter cacheHits;
    private final Counter cacheMisses;
    private final Counter providerErrors;
    private final Counter tokens;
    private final Counter cost;
    private final Counter mcpCalls;
    private final Gauge vkeySpend;

    private final ConcurrentHashMap<String, ProviderSeries> providers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CounterDataPoint> hitsByTier = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, GaugeDataPoint> spendByKey = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<McpCall, CounterDataPoint> mcpByCall = new ConcurrentHashMap<>();

    public Metrics() {
        this(DEFAULT_MAX_LABEL_VALUES);
    }

    /**
     * @param maxLabelValues how many values each label keeps per parent, see the class comment
     * @throws IllegalArgumentException if {@code maxLabelValues} is less than 1
     */
    public Metrics(int maxLabelValues) {
        if (maxLabelValues < 1) {
            throw new IllegalArgumentException("maxLabelValues must be at least 1, not " + maxLabelValues);
        }
        this.maxLabelValues = maxLabelValues;
        // exemplars are off: they would sample trace ids on every call and nothing here has a span to link to
        requests = Counter.builder().name("smartflow_requests_total")
                .help("Calls through the gateway, by provider, model and HTTP status answered")
                .labelNames("provider", "model", "status").withoutExemplars().register(registry);
        latency = Histogram.builder().name("smartflow_request_latency_seconds")
                .help("Time from a call's arrival to its answer (a stream: to its end), in seconds")
                .labelNames("provider").classicOnly().classicUpperBounds(LATENCY_BUCKETS).withoutExemplars()
                .register(registry);
        cacheHits = Counter.builder().name("smartflow_cache_hits_total")
                .help("Calls the cache answered, by cache tier")
                .labelNames("tier").withoutExemplars().register(registry);
        cacheMisses = Counter.builder().name("smartflow_cache_misses_total")
                .help("Calls the cache did not answer that went to a provider")
                .withoutExemplars().register(registry);
        providerErrors = Counter.builder().name("smartflow_provider_errors_total")
                .help("Failed calls that reached a provider, by provider and error code")
                .labelNames("provider", "error").withoutExemplars().register(registry);
        tokens = Counter.builder().name("smartflow_tokens_total")
                .help("Tokens processed, by provider, model and type (prompt or completion)")
                .labelNames("provider", "model", "type").withoutExemplars().register(registry);
        cost = Counter.builder().name("smartflow_cost_usd_total")
                .help("What calls cost, in US dollars, by provider and model")
                .labelNames("provider", "model").withoutExemplars().register(registry);
        mcpCalls = Counter.builder().name("smartflow_mcp_calls_total")
                .help("MCP tool calls through the gateway, by server, tool and outcome")
                .labelNames("server", "tool", "status").withoutExemplars().register(registry);
        vkeySpend = Gauge.builder().name("smartflow_vkey_spend_usd")
                .help("A virtual key's spend in its current budget period, in US dollars")
                .labelNames("key_id").withoutExemplars().register(registry);
    }

    /** The registry holding every series; scrape it to expose them. */
    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void onRecord(AuditRecord record) {
        ProviderSeries provider = capped(providers, record.provider(), ProviderSeries::new);
        ModelSeries model = capped(provider.models, record.model(), m -> new ModelSeries(provider.name, m));
        model.requests(record.status()).inc();
        provider.latency.observe(record.latencyMicros() / 1_000_000.0);
        if (record.promptTokens() > 0) {
            model.promptTokens().inc(record.promptTokens());
        }
        if (record.completionTokens() > 0) {
            model.completionTokens().inc(record.completionTokens());
        }
        if (record.costMicros() > 0) {
            model.cost().inc(record.costMicros() / 1_000_000.0);
        }
        boolean reachedProvider = !NONE.equals(record.provider());
        if (record.cached()) {
            capped(hitsByTier, record.hitType().orElse("unknown"), tier -> cacheHits.labelValues(tier)).inc();
        } else if (reachedProvider) {
            cacheMisses.inc();
        }
        if (!record.attempts().isEmpty()) {
            // every failed attempt counts against its own provider, the ones a fallback recovered from too
            for (AttemptOutcome attempt : record.attempts()) {
                if (attempt.failed()) {
                    ProviderSeries failed = capped(providers, attempt.provider(), ProviderSeries::new);
                    capped(failed.errors, attempt.error().orElseThrow(),
                            e -> providerErrors.labelValues(failed.name, e)).inc();
                }
            }
        } else if (reachedProvider && record.failed() && record.status() != 499) {
            String error = record.error().orElseGet(() -> "http_" + record.status());
            capped(provider.errors, error, e -> providerErrors.labelValues(provider.name, e)).inc();
        }
    }

    /** Sets {@code smartflow_vkey_spend_usd} for the key. */
    @Override
    public void onSpend(KeySpend spend) {
        capped(spendByKey, spend.keyId().value(), key -> vkeySpend.labelValues(key))
                .set(spend.spentMicros() / 1_000_000.0);
    }

    /**
     * Counts one MCP tool call in {@code smartflow_mcp_calls_total}.
     *
     * @param status the outcome, e.g. {@code ok}, {@code error}, {@code denied}
     */
    public void mcpCall(String server, String tool, String status) {
        McpCall call = new McpCall(Objects.requireNonNull(server, "server"), Objects.requireNonNull(tool, "tool"),
                Objects.requireNonNull(status, "status"));
        CounterDataPoint point = mcpByCall.get(call);
        if (point == null) {
            boolean fits = mcpByCall.size() < maxLabelValues && server.length() <= MAX_LABEL_LENGTH
                    && tool.length() <= MAX_LABEL_LENGTH && status.length() <= MAX_LABEL_LENGTH;
            McpCall labelled = fits ? call : new McpCall(OTHER, OTHER, status.length() <= MAX_LABEL_LENGTH
                    ? status : OTHER);
            point = mcpByCall.computeIfAbsent(labelled,
                    c -> mcpCalls.labelValues(c.server(), c.tool(), c.status()));
        }
        point.inc();
    }

    /** The value's entry, made on first use; past the cap, the entry for {@value #OTHER}. */
    private <V> V capped(ConcurrentHashMap<String, V> map, String value, Function<String, V> create) {
        V found = map.get(value);
        if (found != null) {
            return found;
        }
        String label = map.size() < maxLabelValues && value.length() <= MAX_LABEL_LENGTH ? value : OTHER;
        return map.computeIfAbsent(label, create);
    }

    private record McpCall(String server, String tool, String status) {
    }

    /** A provider's data points: its latency histogram, and its models and errors as they appear. */
    private final class ProviderSeries {
        final String name;
        final DistributionDataPoint latency;
        final ConcurrentHashMap<String, ModelSeries> models = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, CounterDataPoint> errors = new ConcurrentHashMap<>();

        ProviderSeries(String name) {
            this.name = name;
            this.latency = Metrics.this.latency.labelValues(name);
        }
    }

    /**
     * A provider and model's data points. Each is made on first use: a refused call should not create token and
     * cost series at zero. Two threads may race to make one; the client hands both the same data point.
     */
    private final class ModelSeries {
        final String provider;
        final String model;
        final AtomicReferenceArray<CounterDataPoint> byStatus = new AtomicReferenceArray<>(STATUSES);
        volatile CounterDataPoint promptTokens;
        volatile CounterDataPoint completionTokens;
        volatile CounterDataPoint cost;

        ModelSeries(String provider, String model) {
            this.provider = provider;
            this.model = model;
        }

        CounterDataPoint requests(int status) {
            CounterDataPoint point = byStatus.get(status - 100);
            if (point == null) {
                point = Metrics.this.requests.labelValues(provider, model, Integer.toString(status));
                byStatus.set(status - 100, point);
            }
            return point;
        }

        CounterDataPoint promptTokens() {
            CounterDataPoint point = promptTokens;
            if (point == null) {
                point = tokens.labelValues(provider, model, "prompt");
                promptTokens = point;
            }
            return point;
        }

        CounterDataPoint completionTokens() {
            CounterDataPoint point = completionTokens;
            if (point == null) {
                point = tokens.labelValues(provider, model, "completion");
                completionTokens = point;
            }
            return point;
        }

        CounterDataPoint cost() {
            CounterDataPoint point = cost;
            if (point == null) {
                point = Metrics.this.cost.labelValues(provider, model);
                cost = point;
            }
            return point;
        }
    }
}
