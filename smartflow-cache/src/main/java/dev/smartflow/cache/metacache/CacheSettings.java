package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the MetaCache behaves: the configuration section {@code cache.metacache}, or {@link #builder()} in-process.
 * Every field has a default; {@link #DEFAULTS} is a working cache.
 *
 * @param enabled            whether the cache runs at all ({@code enabled}, default true)
 * @param ttl                how long an answer is kept unless the request says otherwise ({@code ttl_seconds}, 3600)
 * @param maxTtl             the longest TTL a request may ask for with {@code x-smartflow-cache-ttl}
 *                           ({@code max_ttl_seconds}, 7 days)
 * @param l1MaxEntries       answers kept in this process's memory (L1), least recently used out first
 *                           ({@code l1_max_entries}, 10,000)
 * @param semantic           whether L2 (similar questions) runs when an embedder is available ({@code semantic}, true)
 * @param threshold          the cosine similarity an L2 candidate needs ({@code threshold}, see BENCHMARKS.md)
 * @param minThreshold       the lowest threshold a request may ask for with {@code x-smartflow-cache-threshold}
 *                           ({@code min_threshold}, 0.80); the highest is 1
 * @param maxTemperature     answers to requests with a higher {@code temperature} are not stored
 *                           ({@code max_temperature}, 1.0)
 * @param semanticMaxChars   a last user turn longer than this is cached exactly only: the model reads only its first
 *                           few hundred tokens, so a long text differing near its end would look identical
 *                           ({@code semantic_max_chars}, 1000)
 * @param maxEntryBytes      answers larger than this (as JSON) are not stored ({@code max_entry_bytes}, 1 MiB)
 * @param sharedNamespaces   namespaces whose entries every tenant shares ({@code shared_namespaces}, none): an opt-in,
 *                           since any caller of such a namespace can plant an answer every other caller receives
 */
public record CacheSettings(boolean enabled, Duration ttl, Duration maxTtl, int l1MaxEntries, boolean semantic,
                            double threshold, double minThreshold, double maxTemperature, int semanticMaxChars,
                            int maxEntryBytes, Set<String> sharedNamespaces) {
    /** A namespace: 1 to 64 letters, digits, {@code .}, {@code _} or {@code -}. */
    static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The namespace of requests that name none. */
    public static final String DEFAULT_NAMESPACE = "default";
    /** The default L2 threshold, chosen from the evaluation in BENCHMARKS.md. */
    public static final double DEFAULT_THRESHOLD = 0.90;
    /** No request may lower the threshold below this, whatever the configuration says. */
    static final double FLOOR = 0.5;

    public static final CacheSettings DEFAULTS = builder().build();

    public CacheSettings {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(maxTtl, "maxTtl");
        sharedNamespaces = Set.copyOf(sharedNamespaces);
        if (ttl.toSeconds() < 1 || maxTtl.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("cache.metacache.ttl_seconds must be at least 1 and at most "
                    + "max_ttl_seconds (" + maxTtl.toSeconds() + ")");
        }
        if (maxTtl.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("cache.metacache.max_ttl_seconds must be at most a year");
        }
        if (l1MaxEntries < 0) {
            throw new IllegalArgumentException("cache.metacache.l1_max_entries must not be negative");
        }
        if (!(minThreshold >= FLOOR && minThreshold <= 1)) {
            throw new IllegalArgumentException("cache.metacache.min_threshold must be from " + FLOOR + " to 1");
        }
        if (!(threshold >= minThreshold && threshold <= 1)) {
            throw new IllegalArgumentException("cache.metacache.threshold must be from min_threshold ("
                    + minThreshold + ") to 1");
        }
        if (!(maxTemperature >= 0) || Double.isInfinite(maxTemperature)) {
            throw new IllegalArgumentException("cache.metacache.max_temperature must be a number of at least 0");
        }
        if (semanticMaxChars < 1 || maxEntryBytes < 1) {
            throw new IllegalArgumentException("cache.metacache.semantic_max_chars and max_entry_bytes must be "
                    + "positive");
        }
        for (String namespace : sharedNamespaces) {
            if (!NAMESPACE.matcher(namespace).matches()) {
                throw new IllegalArgumentException("cache.metacache.shared_namespaces: '" + namespace
                        + "' is not a namespace (1-64 letters, digits, '.', '_', '-')");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The settings of a {@code metacache} configuration section (missing: the defaults).
     *
     * @throws IllegalArgumentException naming the field at fault
     */
    public static CacheSettings from(JsonNode section) {
        Builder builder = builder();
        if (section == null || section.isMissingNode() || section.isNull()) {
            return builder.build();
        }
        if (!section.isObject()) {
            throw new IllegalArgumentException("cache.metacache must be a mapping");
        }
        section.fieldNames().forEachRemaining(name -> {
            JsonNode value = section.get(name);
            switch (name) {
                case "enabled" -> builder.enabled(bool(name, value));
                case "ttl_seconds" -> builder.ttl(Duration.ofSeconds(whole(name, value)));
                case "max_ttl_seconds" -> builder.maxTtl(Duration.ofSeconds(whole(name, value)));
                case "l1_max_entries" -> builder.l1MaxEntries((int) Math.min(Integer.MAX_VALUE, whole(name, value)));
                case "semantic" -> builder.semantic(bool(name, value));
                case "threshold" -> builder.threshold(number(name, value));
                case "min_threshold" -> builder.minThreshold(number(name, value));
                case "max_temperature" -> builder.maxTemperature(number(name, value));
                case "semantic_max_chars" -> builder.semanticMaxChars((int) Math.min(Integer.MAX_VALUE,
                        whole(name, value)));
                case "max_entry_bytes" -> builder.maxEntryBytes((int) Math.min(Integer.MAX_VALUE, whole(name, value)));
                case "shared_namespaces" -> {
                    if (!value.isArray()) {
                        throw new IllegalArgumentException("cache.metacache.shared_namespaces must be a list");
                    }
                    Set<String> names = new LinkedHashSet<>();
                    value.forEach(n -> names.add(n.asText()));
                    builder.sharedNamespaces(names);
                }
                default -> throw new IllegalArgumentException("cache.metacache has no setting '" + name + "'");
            }
        });
        return builder.build();
    }

    private static boolean bool(String name, JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual() && (value.textValue().equals("true") || value.textValue().equals("false"))) {
            return Boolean.parseBoolean(value.textValue());
        }
        throw new IllegalArgumentException("cache.metacache." + name + " must be true or false");
    }

    private static long whole(String name, JsonNode value) {
        if (value.canConvertToExactIntegral() || value.isTextual() && value.textValue().matches("\\d{1,12}")) {
            long whole = value.isTextual() ? Long.parseLong(value.textValue()) : value.asLong();
            if (whole >= 0) {
                return whole;
            }
        }
        throw new IllegalArgumentException("cache.metacache." + name + " must be a whole number of at least 0");
    }

    private static double number(String name, JsonNode value) {
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isTextual()) {
            try {
                return Double.parseDouble(value.textValue());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("cache.metacache." + name + " must be a number");
    }

    /** Whether every tenant shares the entries of {@code namespace}. */
    boolean shared(String namespace) {
        return sharedNamespaces.contains(namespace);
    }

    /** Builds {@link CacheSettings}; each setter names a configuration key of the class comment. */
    public static final class Builder {
        private boolean enabled = true;
        private Duration ttl = Duration.ofHours(1);
        private Duration maxTtl = Duration.ofDays(7);
        private int l1MaxEntries = 10_000;
        private boolean semantic = true;
        private double threshold = DEFAULT_THRESHOLD;
        private double minThreshold = 0.80;
        private double maxTemperature = 1.0;
        private int semanticMaxChars = 1000;
        private int maxEntryBytes = 1024 * 1024;
        private Set<String> sharedNamespaces = Set.of();

        private Builder() {
        }

        public Builder enabled(boolean value) {
            this.enabled = value;
            return this;
        }

        public Builder ttl(Duration value) {
            this.ttl = Objects.requireNonNull(value, "ttl");
            return this;
        }

        public Builder maxTtl(Duration value) {
            this.maxTtl = Objects.requireNonNull(value, "maxTtl");
            return this;
        }

        public Builder l1MaxEntries(int value) {
            this.l1MaxEntries = value;
            return this;
        }

        public Builder semantic(boolean value) {
            this.semantic = value;
            return this;
        }

        public Builder threshold(double value) {
            this.threshold = value;
            return this;
        }

        public Builder minThreshold(double value) {
            this.minThreshold = value;
            return this;
        }

        public Builder maxTemperature(double value) {
            this.maxTemperature = value;
            return this;
        }

        public Builder semanticMaxChars(int value) {
            this.semanticMaxChars = value;
            return this;
        }

        public Builder maxEntryBytes(int value) {
            this.maxEntryBytes = value;
            return this;
        }

        public Builder sharedNamespaces(Set<String> value) {
            this.sharedNamespaces = Set.copyOf(value);
            return this;
        }

        /** @throws IllegalArgumentException naming the setting out of range */
        public CacheSettings build() {
            return new CacheSettings(enabled, ttl, maxTtl, l1MaxEntries, semantic, threshold, minThreshold,
                    maxTemperature, semanticMaxChars, maxEntryBytes, sharedNamespaces);
        }
    }
}
