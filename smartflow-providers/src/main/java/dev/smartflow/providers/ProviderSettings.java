package dev.smartflow.providers;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * How to reach one provider: its routing name, credentials, base URL and deadlines. Typically read from a config file;
 * a {@link ProviderRegistry} overlays the environment ({@code <NAME>_API_KEY}, {@code <NAME>_API_BASE},
 * {@code <NAME>_API_VERSION}) field by field.
 *
 * <p>Blank strings count as absent. {@link #toString()} masks the key.
 *
 * <pre>{@code
 * ProviderSettings groq = ProviderSettings.of("groq")
 *         .withApiKey(secrets.get("groq"))
 *         .withTimeout(Duration.ofSeconds(60));
 * }</pre>
 *
 * @param name              the routing name, lower case ({@code openai}, {@code groq}, {@code azure}, or a name of
 *                          your own for another OpenAI-compatible server, which then needs an {@code apiBase})
 * @param apiKey            the provider key; absent for servers that need none
 * @param apiBase           the base URL, e.g. {@code https://api.groq.com/openai/v1}; absent for the vendor's default
 * @param apiVersion        the API version, where the protocol has one (Azure's {@code api-version})
 * @param timeout           the whole non-streaming call, and the wait for a stream's first bytes
 * @param streamIdleTimeout the longest silence between two chunks of a stream
 */
public record ProviderSettings(String name, Optional<String> apiKey, Optional<String> apiBase,
                               Optional<String> apiVersion, Duration timeout, Duration streamIdleTimeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);
    public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofSeconds(300);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    /**
     * @throws IllegalArgumentException if {@code name} is not lower-case letters, digits and underscores, or a
     *                                  timeout is not positive
     */
    public ProviderSettings {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("provider name must be lower-case letters, digits and '_': '" + name
                    + "'");
        }
        apiKey = nonBlank(Objects.requireNonNull(apiKey, "apiKey"));
        apiBase = nonBlank(Objects.requireNonNull(apiBase, "apiBase"));
        apiVersion = nonBlank(Objects.requireNonNull(apiVersion, "apiVersion"));
        positive(Objects.requireNonNull(timeout, "timeout"), "timeout");
        positive(Objects.requireNonNull(streamIdleTimeout, "streamIdleTimeout"), "streamIdleTimeout");
    }

    /** No key, the vendor's default base, default deadlines. */
    public static ProviderSettings of(String name) {
        return new ProviderSettings(name, Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_TIMEOUT,
                DEFAULT_STREAM_IDLE_TIMEOUT);
    }

    public ProviderSettings withApiKey(String key) {
        return new ProviderSettings(name, Optional.of(key), apiBase, apiVersion, timeout, streamIdleTimeout);
    }

    public ProviderSettings withApiBase(String base) {
        return new ProviderSettings(name, apiKey, Optional.of(base), apiVersion, timeout, streamIdleTimeout);
    }

    public ProviderSettings withApiVersion(String version) {
        return new ProviderSettings(name, apiKey, apiBase, Optional.of(version), timeout, streamIdleTimeout);
    }

    public ProviderSettings withTimeout(Duration newTimeout) {
        return new ProviderSettings(name, apiKey, apiBase, apiVersion, newTimeout, streamIdleTimeout);
    }

    public ProviderSettings withStreamIdleTimeout(Duration newTimeout) {
        return new ProviderSettings(name, apiKey, apiBase, apiVersion, timeout, newTimeout);
    }

    /**
     * The prefix of this provider's environment variables: the name upper-cased, except {@code VERTEXAI} for
     * {@code vertex_ai}, as the API reference names Vertex's variables ({@code VERTEXAI_API_KEY}).
     */
    public String environmentPrefix() {
        return name.equals("vertex_ai") ? "VERTEXAI" : name.toUpperCase(Locale.ROOT);
    }

    /** These settings with each value that is present and not blank taking precedence (name and deadlines stay). */
    ProviderSettings overriddenBy(Optional<String> key, Optional<String> base, Optional<String> version) {
        return new ProviderSettings(name, nonBlank(key).or(() -> apiKey), nonBlank(base).or(() -> apiBase),
                nonBlank(version).or(() -> apiVersion), timeout, streamIdleTimeout);
    }

    /** Never the key itself. */
    @Override
    public String toString() {
        return "ProviderSettings[name=" + name + ", apiKey=" + (apiKey.isPresent() ? "██" : "absent")
                + ", apiBase=" + apiBase.map(ProviderSettings::redactedBase).orElse("default")
                + ", apiVersion=" + apiVersion.orElse("default")
                + ", timeout=" + timeout + ", streamIdleTimeout=" + streamIdleTimeout + "]";
    }

    /** The base URL without user info or query, either of which may hold a credential. */
    static String redactedBase(String base) {
        HttpUrl url = HttpUrl.parse(base);
        if (url == null) {
            return "(not an http or https URL)";
        }
        return url.newBuilder().username("").password("").query(null).build().toString();
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::strip).filter(s -> !s.isEmpty());
    }

    private static void positive(Duration duration, String what) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + duration);
        }
    }
}
