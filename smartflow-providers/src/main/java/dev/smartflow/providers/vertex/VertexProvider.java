package dev.smartflow.providers.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import dev.smartflow.providers.anthropic.AnthropicProtocol;
import dev.smartflow.providers.anthropic.AnthropicProvider;
import dev.smartflow.providers.anthropic.MessagesBridge;
import dev.smartflow.providers.gemini.GeminiProtocol;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * The adapter for Google Cloud's Vertex AI, serving two families of models by the protocols they speak there:
 * <ul>
 *   <li>Gemini ({@code vertex_ai/gemini-2.5-flash}): {@code POST .../publishers/google/models/{model}:generateContent},
 *       or {@code :streamGenerateContent?alt=sse} for a stream, translated as for Google AI's API
 *       ({@link GeminiProtocol}: system instruction, images, tools, finish reasons, usage with cached tokens);</li>
 *   <li>Claude ({@code vertex_ai/claude-sonnet-4-5@20250929}, any model whose name starts with {@code claude-}):
 *       {@code POST .../publishers/anthropic/models/{model}:rawPredict}, or {@code :streamRawPredict} for a stream,
 *       with a Messages body that names no model and carries {@code anthropic_version: vertex-2023-10-16}, translated
 *       as for Anthropic's API ({@link AnthropicProtocol}); native Messages calls pass through.</li>
 * </ul>
 * Other Messages calls go through the OpenAI chat shape ({@link MessagesBridge}); embeddings, images and audio are not
 * served here.
 *
 * <p>URLs: {@code {base}/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method}},
 * the base defaulting to {@code https://{location}-aiplatform.googleapis.com} ({@code https://aiplatform.googleapis.com}
 * for the {@code global} location); {@code VERTEXAI_API_BASE} replaces it. With an API key and no project, Gemini
 * calls go to Vertex's express mode, {@code {base}/v1/publishers/google/models/{model}:{method}}.
 *
 * <p>Credentials ({@link VertexCredentials}): {@code VERTEXAI_API_KEY} in {@code x-goog-api-key}, else the Google
 * credentials file named by {@code GOOGLE_APPLICATION_CREDENTIALS} (a service account's key), whose OAuth token is
 * cached and exchanged again before it expires. The project is {@code VERTEXAI_PROJECT}, else the service account's;
 * the location {@code VERTEXAI_LOCATION}, else {@value #DEFAULT_LOCATION}. Available once there are credentials and
 * either a project or an API key.
 *
 * <p>Failures are {@link UpstreamFailure}s with scrubbed messages, in Google's error shape for Gemini and Anthropic's
 * for Claude. Thread-safe; {@link #call} blocks, so run it on a virtual thread.
 *
 * <pre>{@code
 * Provider vertex = new VertexProvider(ProviderSettings.of("vertex_ai"), System.getenv(), transport);
 * Response answer = vertex.call(exchange, "gemini-2.5-flash");
 * }</pre>
 */
public final class VertexProvider implements Provider {
    public static final String DEFAULT_LOCATION = "us-central1";
    /** The Messages API version Vertex wants in the body instead of a header. */
    public static final String ANTHROPIC_VERSION = "vertex-2023-10-16";

    private static final System.Logger LOG = System.getLogger(VertexProvider.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final String name;
    private final ProviderSettings settings;
    private final VertexCredentials credentials;
    private final Optional<String> project;
    private final String location;
    private final HttpUrl base;
    private final GeminiProtocol gemini;
    private final AnthropicProtocol anthropic;

    /**
     * @param settings    the name ({@code vertex_ai}), the API key ({@code VERTEXAI_API_KEY}), base and deadlines
     * @param environment where {@code VERTEXAI_PROJECT}, {@code VERTEXAI_LOCATION} and
     *                    {@code GOOGLE_APPLICATION_CREDENTIALS} are read, usually the registry's
     * @param transport   the shared HTTP client and deadline watchdog
     * @throws IllegalArgumentException if the base URL is not an http or https URL, or the project or location is not
     *                                  a resource name
     */
    public VertexProvider(ProviderSettings settings, Map<String, String> environment, HttpTransport transport) {
        this(settings, credentialsOf(settings, environment), variable(environment, "VERTEXAI_PROJECT"),
                variable(environment, "VERTEXAI_LOCATION").orElse(DEFAULT_LOCATION), transport, InstantSource.system());
    }

    VertexProvider(ProviderSettings settings, VertexCredentials credentials, Optional<String> project,
                   String location, HttpTransport transport, InstantSource clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.name = settings.name();
        this.project = Objects.requireNonNull(project, "project").or(credentials::project);
        this.location = Objects.requireNonNull(location, "location");
        this.project.ifPresent(p -> requireName(p, "VERTEXAI_PROJECT"));
        requireName(location, "VERTEXAI_LOCATION");
        credentials.key().ifPresent(key -> UpstreamHttp.requireHeaderSafe(name, key));
        this.base = UpstreamHttp.parseBase(name, settings.apiBase().orElse(location.equals("global")
                ? "https://aiplatform.googleapis.com" : "https://" + location + "-aiplatform.googleapis.com"));
        Scrubber scrubber = new Scrubber(credentials.key());
        this.gemini = new GeminiProtocol(settings, transport, clock, scrubber);
        this.anthropic = new AnthropicProtocol(settings, transport, clock, scrubber);
    }

    @Override
    public String name() {
        return name;
    }

    /** True once there are credentials and a project (or an API key, which may use express mode). */
    @Override
    public boolean available() {
        return credentials.present() && (project.isPresent() || credentials.isApiKey());
    }

    /** The base URL calls go to. */
    public String apiBase() {
        return base.toString();
    }

    /** What is missing, by variable name only; empty when available. */
    public Optional<String> missing() {
        if (!credentials.present()) {
            return Optional.of("set VERTEXAI_API_KEY, or GOOGLE_APPLICATION_CREDENTIALS to a readable credentials file");
        }
        return available() ? Optional.empty() : Optional.of("set VERTEXAI_PROJECT");
    }

    /**
     * @throws InvalidRequest  if the operation is not chat or Messages (or count_tokens, which is not served), the
     *                         provider is not configured, or the request cannot be expressed for the model
     * @throws UpstreamFailure if the upstream fails, times out, answers garbage, or a token cannot be obtained
     */
    @Override
    public Response call(Exchange exchange, String model) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        LlmOperation operation = (LlmOperation) exchange.operation(); // providers serve model endpoints only
        boolean claude = model.toLowerCase(Locale.ROOT).startsWith("claude-");
        switch (operation) {
            case CHAT -> { }
            case ANTHROPIC_MESSAGES -> {
                if (!claude) {
                    return MessagesBridge.serve(exchange, model, this);
                }
            }
            default -> throw UpstreamHttp.unsupported(name, operation);
        }
        requireAvailable();
        if (claude) {
            requireProject();
            return anthropic.call(exchange, model, new ClaudeEndpoint());
        }
        return gemini.chat(exchange, GeminiProtocol.upstreamModel(model), new GeminiEndpoint());
    }

    /**
     * None: Vertex lists publisher models per publisher and version, not the models a project may call, so the
     * gateway's model list leaves Vertex out; any Gemini or Claude model available in the project can be named.
     */
    @Override
    public List<JsonNode> models() {
        return List.of();
    }

    @Override
    public String toString() {
        return "VertexProvider[" + settings + ", project=" + project.orElse("unset") + ", location=" + location
                + ", credentials=" + credentials + "]";
    }

    /** {@code v1/projects/{p}/locations/{l}/publishers/{publisher}/models/{model}:{method}}. */
    private HttpUrl.Builder modelUrl(String publisher, String model, String method) {
        HttpUrl.Builder url = base.newBuilder().addPathSegment("v1");
        if (project.isPresent()) {
            url.addPathSegment("projects").addPathSegment(project.get())
                    .addPathSegment("locations").addPathSegment(location);
        }
        return url.addPathSegment("publishers").addPathSegment(publisher).addPathSegment("models")
                .addPathSegment(model + ":" + method);
    }

    private okhttp3.Headers.Builder headers(String accept) {
        okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder()
                .add("Accept", accept)
                .add("User-Agent", UpstreamHttp.USER_AGENT);
        credentials.authorise(headers, name);
        return headers;
    }

    private final class GeminiEndpoint implements GeminiProtocol.Endpoint {
        @Override
        public HttpUrl.Builder method(String model, String method) {
            return modelUrl("google", model, method);
        }

        @Override
        public okhttp3.Headers headers(String accept) {
            return VertexProvider.this.headers(accept).build();
        }
    }

    /** Claude on Vertex: rawPredict URLs, no model in the body, the API version in it instead of a header. */
    private final class ClaudeEndpoint implements AnthropicProtocol.Endpoint {
        @Override
        public HttpUrl url(LlmOperation operation, String model, boolean streaming) {
            if (operation == LlmOperation.ANTHROPIC_COUNT_TOKENS) {
                throw UpstreamHttp.unsupported(name, operation);
            }
            return modelUrl("anthropic", model, streaming ? "streamRawPredict" : "rawPredict").build();
        }

        @Override
        public Body body(Body messages, String model) {
            return messages.editTopLevel(o -> {
                o.remove("model");
                o.put("anthropic_version", ANTHROPIC_VERSION);
            });
        }

        @Override
        public okhttp3.Headers headers(String accept, Exchange exchange, boolean passthrough) {
            okhttp3.Headers.Builder headers = VertexProvider.this.headers(accept);
            if (passthrough) {
                exchange.headers().get("anthropic-beta").filter(AnthropicProvider::headerSafe)
                        .ifPresent(v -> headers.set("anthropic-beta", v));
            }
            return headers.build();
        }
    }

    private void requireAvailable() {
        if (!available()) {
            throw new InvalidRequest("provider '" + name + "' is not configured", "provider_not_configured", "model");
        }
    }

    private void requireProject() {
        if (project.isEmpty()) {
            throw new InvalidRequest("Claude on Vertex AI needs a project: set VERTEXAI_PROJECT",
                    "provider_not_configured", "model");
        }
    }

    private static VertexCredentials credentialsOf(ProviderSettings settings, Map<String, String> environment) {
        if (settings.apiKey().isPresent()) {
            return VertexCredentials.apiKey(settings.apiKey().get());
        }
        Optional<String> file = variable(environment, "GOOGLE_APPLICATION_CREDENTIALS");
        if (file.isEmpty()) {
            return VertexCredentials.none();
        }
        try {
            return VertexCredentials.fromFile(Path.of(file.get()));
        } catch (IllegalArgumentException e) {
            // a stale variable must not stop a gateway that may not even use Vertex: the adapter stays unavailable
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
            return VertexCredentials.none();
        }
    }

    private static void requireName(String value, String variable) {
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("provider 'vertex_ai': " + variable + " is not a resource name");
        }
    }

    private static Optional<String> variable(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }
}
