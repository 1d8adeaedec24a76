package dev.smartflow.cache.metacache;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Headers;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What one request asks of the cache through its headers, checked: {@code Cache-Control: no-cache} (do not read),
 * {@code no-store} (do not write), {@code x-smartflow-cache-ttl} (seconds, 1 to the configured maximum),
 * {@code x-smartflow-cache-namespace} (1-64 letters, digits, {@code . _ -}) and {@code x-smartflow-cache-threshold}
 * (from the configured minimum to 1). A value out of range is a 400 naming the header, so a typo never silently
 * caches with settings the caller did not ask for.
 */
record Controls(boolean read, boolean write, Duration ttl, String namespace, double threshold) {
    static final String CACHE_CONTROL = "cache-control";
    static final String TTL = "x-smartflow-cache-ttl";
    static final String NAMESPACE = "x-smartflow-cache-namespace";
    static final String THRESHOLD = "x-smartflow-cache-threshold";
    /** Every request header the cache reads, for the proxy to copy into exchanges. */
    static final String[] HEADERS = {CACHE_CONTROL, TTL, NAMESPACE, THRESHOLD};

    static Controls of(Headers headers, CacheSettings settings) {
        boolean read = true;
        boolean write = true;
        Optional<String> cacheControl = headers.get(CACHE_CONTROL);
        if (cacheControl.isPresent()) {
            for (String directive : cacheControl.get().split(",")) {
                String name = directive.strip().toLowerCase(Locale.ROOT);
                int equals = name.indexOf('=');
                name = equals < 0 ? name : name.substring(0, equals).strip();
                if (name.equals("no-cache")) {
                    read = false;
                } else if (name.equals("no-store")) {
                    write = false;
                }
            }
        }
        Duration ttl = headers.get(TTL).map(value -> ttl(value, settings)).orElse(settings.ttl());
        String namespace = headers.get(NAMESPACE).map(String::strip).map(Controls::namespace)
                .orElse(CacheSettings.DEFAULT_NAMESPACE);
        double threshold = headers.get(THRESHOLD).map(value -> threshold(value, settings))
                .orElse(settings.threshold());
        return new Controls(read, write, ttl, namespace, threshold);
    }

    private static Duration ttl(String value, CacheSettings settings) {
        String stripped = value.strip();
        long max = settings.maxTtl().toSeconds();
        long seconds = stripped.matches("\\d{1,12}") ? Long.parseLong(stripped) : -1;
        if (seconds < 1 || seconds > max) {
            throw new InvalidRequest(TTL + " must be a whole number of seconds from 1 to " + max, "invalid_cache_ttl",
                    TTL);
        }
        return Duration.ofSeconds(seconds);
    }

    private static String namespace(String value) {
        if (!CacheSettings.NAMESPACE.matcher(value).matches()) {
            throw new InvalidRequest(NAMESPACE + " must be 1 to 64 letters, digits, '.', '_' or '-'",
                    "invalid_cache_namespace", NAMESPACE);
        }
        return value;
    }

    private static double threshold(String value, CacheSettings settings) {
        double threshold;
        try {
            threshold = value.strip().length() > 20 ? Double.NaN : Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            threshold = Double.NaN;
        }
        if (!(threshold >= settings.minThreshold() && threshold <= 1)) {
            throw new InvalidRequest(THRESHOLD + " must be a number from " + settings.minThreshold() + " to 1",
                    "invalid_cache_threshold", THRESHOLD);
        }
        return threshold;
    }
}
