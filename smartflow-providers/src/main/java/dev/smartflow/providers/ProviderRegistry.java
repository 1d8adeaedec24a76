package dev.smartflow.providers;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.routing.ChainTarget;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.routing.Target;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.anthropic.AnthropicProvider;
import dev.smartflow.providers.bedrock.BedrockProvider;
import dev.smartflow.providers.catalog.ModelCatalog;
import dev.smartflow.providers.cohere.CohereProvider;
import dev.smartflow.providers.deepgram.DeepgramProvider;
import dev.smartflow.providers.gemini.GeminiProvider;
import dev.smartflow.providers.openai.OpenAiProvider;
import dev.smartflow.providers.replicate.ReplicateProvider;
import dev.smartflow.providers.vertex.VertexProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The providers a deployment can call, and the rules that pick one for a model name. Built from the environment
 * and/or explicit settings; owns the shared {@link HttpTransport} (one connection pool, one deadline watchdog).
 *
 * <p>Every OpenAI-compatible vendor is known ({@link OpenAiProvider#vendors()}: {@code openai}, {@code azure},
 * {@code xai}, {@code mistral}, {@code groq}, {@code openrouter}, {@code together}, {@code fireworks},
 * {@code perplexity}, {@code nvidia_nim}, {@code huggingface}, {@code novita}, {@code vercel_ai_gateway},
 * {@code deepinfra}, {@code ollama}); each reads {@code <NAME>_API_KEY}, {@code <NAME>_API_BASE} and
 * {@code <NAME>_API_VERSION} and is available once it has a key (Ollama needs none). Anthropic has its own adapter
 * ({@link AnthropicProvider}), available once {@code ANTHROPIC_API_KEY} is set, and so have Gemini
 * ({@link GeminiProvider}), available once {@code GEMINI_API_KEY} is set and {@code GEMINI_ENABLED} is not
 * {@code false}, Cohere ({@link CohereProvider}), available once {@code COHERE_API_KEY} is set, and Deepgram
 * ({@link DeepgramProvider}, speech to text only), available once {@code DEEPGRAM_API_KEY} is set. The cloud
 * platforms have adapters of their own: Amazon Bedrock ({@link BedrockProvider}, {@code bedrock/<model id>}),
 * available once {@code AWS_REGION} is set, signing with {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY}
 * or the AWS default credentials chain; Vertex AI ({@link VertexProvider}, {@code vertex_ai/<model>}), available once
 * {@code VERTEXAI_API_KEY} or {@code GOOGLE_APPLICATION_CREDENTIALS} (and {@code VERTEXAI_PROJECT}) is set; and
 * Replicate ({@link ReplicateProvider}, {@code replicate/<owner>/<model>}), available once {@code REPLICATE_API_KEY}
 * is set. {@code google/} models (the name the API reference's chains use for Gemini) go to the Gemini adapter unless
 * one named {@code google} is added.
 *
 * <p>{@link #resolve(String)} tries, in order:
 * <ol>
 *   <li>an explicit prefix: {@code groq/llama-3.3-70b-versatile} goes to groq as {@code llama-3.3-70b-versatile};
 *       only the first {@code /} counts ({@code openrouter/anthropic/claude-3.5-sonnet} goes to openrouter); a prefix
 *       that names no provider is an error, not a model name;</li>
 *   <li>the model name: {@code gpt-}, {@code o1}, {@code o3}, {@code o4-}, {@code chatgpt-}, {@code whisper-},
 *       {@code tts-}, {@code dall-e-}, {@code text-embedding-}, {@code omni-moderation-} go to openai, {@code claude-}
 *       to anthropic, {@code gemini-} to gemini, {@code grok-} to xai, {@code mistral-}, {@code mixtral-},
 *       {@code codestral-}, {@code ministral-}, {@code pixtral-} to mistral, {@code command-}, {@code embed-},
 *       {@code rerank-} to cohere, {@code llama-} to groq;</li>
 *   <li>the {@linkplain Builder#defaultProvider(String) default provider}, if one is set.</li>
 * </ol>
 * A provider that is found but not configured is an {@link InvalidRequest} naming the variable to set, never its value.
 *
 * <p>{@link #resolve(ChainTarget)} serves a fallback chain's target; one that names its own {@code api_base} or
 * {@code api_key_env} (a second account of the same vendor, a regional endpoint) gets a variant of the provider's
 * adapter with that base and the key read from that variable of the registry's environment; variants share the
 * registry's transport and are kept per provider, base and variable.
 *
 * <p>The registry also carries the {@link ModelCatalog} (prices, context windows) of the models it routes to:
 * {@link ModelCatalog#bundled()} unless {@linkplain Builder#catalog(ModelCatalog) another} is given.
 *
 * <p>Thread-safe and immutable once built. Close it to stop the watchdog and the idle connections.
 *
 * <pre>{@code
 * try (ProviderRegistry providers = ProviderRegistry.builder()
 *         .environment(System.getenv())                  // OPENAI_API_KEY, GROQ_API_KEY, ...
 *         .provider(ProviderSettings.of("azure")
 *                 .withApiBase("https://my-resource.openai.azure.com")
 *                 .withTimeout(Duration.ofSeconds(120)))  // AZURE_API_KEY still comes from the environment
 *         .defaultProvider("ollama")
 *         .build()) {
 *     Target target = providers.resolve("groq/llama-3.3-70b-versatile");
 *     Response answer = target.provider().call(exchange, target.model());
 * }
 * }</pre>
 */
public final class ProviderRegistry implements ModelResolver, AutoCloseable {
    /** The native protocols: their names are prefixes, never declared OpenAI-compatible servers. */
    private static final List<String> NATIVE = List.of("anthropic", "gemini", "vertex_ai", "google", "cohere",
            "deepgram", "bedrock", "replicate");
    /** The native protocols this module has adapters for. */
    private static final String ANTHROPIC = "anthropic";
    private static final String GEMINI = "gemini";
    private static final String COHERE = "cohere";
    private static final String DEEPGRAM = "deepgram";
    private static final String BEDROCK = "bedrock";
    private static final String VERTEX_AI = "vertex_ai";
    private static final String REPLICATE = "replicate";
    /** The API reference's name for Gemini in fallback chains; the Gemini adapter unless one of its own is added. */
    private static final String GOOGLE = "google";
    /** How many variants (per-target base or key) a registry keeps; chains are few, so this is never reached. */
    private static final int MAX_VARIANTS = 1024;

    /** Exact names first, then prefixes; matched against the lower-cased model name. */
    private static final Map<String, String> EXACT = Map.of("o1", "openai", "o3", "openai");
    private static final List<Map.Entry<String, String>> PREFIXES = List.of(
            Map.entry("gpt-", "openai"),
            Map.entry("o1-", "openai"),
            Map.entry("o3-", "openai"),
            Map.entry("o4-", "openai"),
            Map.entry("chatgpt-", "openai"),
            Map.entry("whisper-", "openai"),
            Map.entry("tts-", "openai"),
            Map.entry("dall-e-", "openai"),
            Map.entry("text-embedding-", "openai"),
            Map.entry("omni-moderation-", "openai"),
            Map.entry("claude-", "anthropic"),
            Map.entry("gemini-", "gemini"),
            Map.entry("grok-", "xai"),
            Map.entry("mistral-", "mistral"),
            Map.entry("mixtral-", "mistral"),
            Map.entry("codestral-", "mistral"),
            Map.entry("ministral-", "mistral"),
            Map.entry("pixtral-", "mistral"),
            Map.entry("command-", "cohere"),
            Map.entry("embed-", "cohere"),
            Map.entry("rerank-", "cohere"),
            Map.entry("llama-", "groq"));

    /** OpenAI first, then by name: the stable order of {@link #available()} and {@link #describe()}. */
    private static final Comparator<String> ORDER = Comparator.<String, Boolean>comparing(n -> !n.equals("openai"))
            .thenComparing(Comparator.naturalOrder());

    /** Model names are echoed in errors; a caller sending a novel as one gets it back cut. */
    private static final int MAX_ECHOED_MODEL = 200;

    private final HttpTransport transport;
    /** Every adapter by name, in {@link #ORDER}: OpenAI first, then by name. */
    private final Map<String, Provider> adapters;
    private final Map<String, ProviderSettings> settings;
    private final Set<String> known;
    private final Optional<String> defaultProvider;
    private final ModelCatalog catalog;
    /** Where a chain target's {@code api_key_env} is read; the builder's environment. */
    private final Map<String, String> environment;
    private final boolean geminiEnabled;
    /** Adapters added by the caller: no variant of them can be made. */
    private final Set<String> added;
    private final Map<Variant, Provider> variants = new ConcurrentHashMap<>();

    /** A chain target's own base and key variable; the key itself is never part of it. */
    private record Variant(String provider, Optional<String> apiBase, Optional<String> apiKeyEnv) {
    }

    private ProviderRegistry(HttpTransport transport, Map<String, Provider> adapters,
                             Map<String, ProviderSettings> settings, Set<String> known,
                             Optional<String> defaultProvider, ModelCatalog catalog, Map<String, String> environment,
                             boolean geminiEnabled, Set<String> added) {
        this.transport = transport;
        this.adapters = adapters;
        this.settings = settings;
        this.known = known;
        this.defaultProvider = defaultProvider;
        this.catalog = catalog;
        this.environment = environment;
        this.geminiEnabled = geminiEnabled;
        this.added = added;
    }

    /** A registry configured by this process's environment variables only. */
    public static ProviderRegistry fromEnvironment() {
        return builder().environment(System.getenv()).build();
    }

    /** An empty builder: no environment is read unless {@link Builder#environment(Map)} is given one. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @throws InvalidRequest with code {@code unknown_provider} for a prefix that names no provider,
     *                        {@code model_not_found} when nothing tells which provider serves the name, and
     *                        {@code provider_not_configured} when the provider has no key or no adapter
     */
    @Override
    public Target resolve(String model) {
        Objects.requireNonNull(model, "model");
        int slash = model.indexOf('/');
        if (slash >= 0) {
            String prefix = model.substring(0, slash).toLowerCase(Locale.ROOT);
            if (!known.contains(prefix)) {
                throw new InvalidRequest("unknown provider prefix '" + echo(model.substring(0, slash))
                        + "' in model '" + echo(model) + "'", "unknown_provider", "model");
            }
            String rest = model.substring(slash + 1);
            if (rest.isEmpty()) {
                throw new InvalidRequest("model '" + echo(model) + "' names a provider but no model", "model_not_found",
                        "model");
            }
            return target(prefix, rest);
        }
        Optional<String> guessed = guess(model.toLowerCase(Locale.ROOT)).or(() -> defaultProvider);
        if (guessed.isEmpty()) {
            throw new InvalidRequest("cannot tell which provider serves model '" + echo(model)
                    + "'; prefix it with a provider name, e.g. openai/" + echo(model), "model_not_found", "model");
        }
        return target(guessed.get(), model);
    }

    /**
     * A fallback chain's target: {@code provider/model}, or with the target's own {@code api_base} and/or
     * {@code api_key_env}, a variant of the provider's adapter that sends its calls there with that key. The variable
     * is read from this registry's environment now; errors name it, never its value.
     *
     * @throws InvalidRequest with code {@code unknown_provider} or {@code provider_not_configured} as for a model name,
     *                        {@code api_key_env_not_set} when the variable is unset or blank, and
     *                        {@code override_not_supported} for an adapter added by the caller
     */
    @Override
    public Target resolve(ChainTarget target) {
        Objects.requireNonNull(target, "target");
        if (target.apiBase().isEmpty() && target.apiKeyEnv().isEmpty()) {
            return resolve(target.provider() + "/" + target.model());
        }
        String requested = target.provider().toLowerCase(Locale.ROOT);
        if (!known.contains(requested)) {
            throw new InvalidRequest("unknown provider '" + echo(target.provider()) + "'", "unknown_provider",
                    "model");
        }
        String name = canonical(requested);
        if (added.contains(name) || !settings.containsKey(name)) {
            throw new InvalidRequest("provider '" + name + "' takes no api_base or api_key_env of its own",
                    "override_not_supported", "model");
        }
        Optional<String> key = Optional.empty();
        if (target.apiKeyEnv().isPresent()) {
            String variable = target.apiKeyEnv().get();
            key = Optional.ofNullable(environment.get(variable)).map(String::strip).filter(v -> !v.isEmpty());
            if (key.isEmpty()) {
                throw new InvalidRequest("the environment variable " + variable + " named by api_key_env is not set",
                        "api_key_env_not_set", "model");
            }
        }
        Variant variant = new Variant(name, target.apiBase(), target.apiKeyEnv());
        Provider provider = variants.get(variant);
        if (provider == null) {
            if (variants.size() >= MAX_VARIANTS) {
                variants.clear();
            }
            provider = variants.computeIfAbsent(variant, v -> variant(v, settings.get(name), target));
        }
        if (!provider.available()) {
            throw new InvalidRequest("provider '" + name + "' is not configured: " + hint(name, provider),
                    "provider_not_configured", "model");
        }
        return new Target(provider, target.model());
    }

    /**
     * A new adapter of the provider's protocol with the target's base and key over the provider's own settings. The
     * key is read here, once per variant, so an environment that changes needs a new registry.
     */
    private Provider variant(Variant variant, ProviderSettings own, ChainTarget target) {
        ProviderSettings changed = own;
        if (variant.apiBase().isPresent()) {
            changed = changed.withApiBase(variant.apiBase().get());
        }
        if (variant.apiKeyEnv().isPresent()) {
            changed = changed.withApiKey(environment.get(variant.apiKeyEnv().get()).strip());
        }
        try {
            return adapter(variant.provider(), changed, transport, geminiEnabled, environment);
        } catch (IllegalArgumentException e) {
            // the adapter names the setting at fault; a key that cannot travel in a header is never echoed
            throw new InvalidRequest("target " + echo(target.provider()) + "/" + echo(target.model())
                    + " cannot be served: " + e.getMessage(), "invalid_request", "model");
        }
    }

    /** The providers that take calls: OpenAI first, then by name. */
    @Override
    public List<Provider> available() {
        return adapters.values().stream().filter(Provider::available).toList();
    }

    /** Prices and limits of the models this registry routes to; the {@code Pricing} to build a pipeline with. */
    public ModelCatalog catalog() {
        return catalog;
    }

    /**
     * The adapter registered under {@code name}, available or not; the alias {@code google} leads to the adapter that
     * serves it.
     */
    public Optional<Provider> provider(String name) {
        return Optional.ofNullable(adapters.get(canonical(name)));
    }

    /** Every adapter, available or not, with where its calls go; no secrets. OpenAI first, then by name. */
    public List<ProviderStatus> describe() {
        List<ProviderStatus> out = new ArrayList<>(adapters.size());
        for (Provider provider : adapters.values()) {
            Optional<String> base = switch (provider) {
                case OpenAiProvider openAi -> openAi.apiBase().map(ProviderSettings::redactedBase);
                case AnthropicProvider anthropic -> Optional.of(ProviderSettings.redactedBase(anthropic.apiBase()));
                case GeminiProvider gemini -> Optional.of(ProviderSettings.redactedBase(gemini.apiBase()));
                case CohereProvider cohere -> Optional.of(ProviderSettings.redactedBase(cohere.apiBase()));
                case DeepgramProvider deepgram -> Optional.of(ProviderSettings.redactedBase(deepgram.apiBase()));
                case BedrockProvider bedrock -> bedrock.apiBase().map(ProviderSettings::redactedBase);
                case VertexProvider vertex -> Optional.of(ProviderSettings.redactedBase(vertex.apiBase()));
                case ReplicateProvider replicate -> Optional.of(ProviderSettings.redactedBase(replicate.apiBase()));
                default -> Optional.<String>empty();
            };
            out.add(new ProviderStatus(provider.name(), provider.available(), base));
        }
        return List.copyOf(out);
    }

    /** Stops the deadline watchdog, cancels calls in flight and closes idle connections. Idempotent. */
    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "ProviderRegistry" + describe();
    }

    /** The adapter's name for {@code requested}: {@code google} leads to Gemini unless an adapter of its own exists. */
    private String canonical(String requested) {
        return requested.equals(GOOGLE) && !adapters.containsKey(requested) ? GEMINI : requested;
    }

    private Target target(String requested, String model) {
        String name = canonical(requested);
        Provider provider = adapters.get(name);
        if (provider == null || !provider.available()) {
            throw new InvalidRequest("provider '" + name + "' is not configured: " + hint(name, provider),
                    "provider_not_configured", "model");
        }
        return new Target(provider, model);
    }

    /** What to set, by variable name only. */
    private String hint(String name, Provider provider) {
        if (provider == null) {
            return "this build has no adapter for it";
        }
        if (provider instanceof BedrockProvider) {
            return "set AWS_REGION, with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or another source of the AWS"
                    + " default credentials chain";
        }
        if (provider instanceof VertexProvider vertex) {
            return vertex.missing().orElse("it reports itself unavailable");
        }
        ProviderSettings given = settings.get(name);
        String prefix = given == null ? name.toUpperCase(Locale.ROOT) : given.environmentPrefix();
        List<String> missing = new ArrayList<>(2);
        if (given == null || given.apiKey().isEmpty()) {
            missing.add(prefix + "_API_KEY");
        }
        if (provider instanceof OpenAiProvider openAi && openAi.apiBase().isEmpty()) {
            missing.add(prefix + "_API_BASE");
        }
        if (missing.isEmpty() && provider instanceof GeminiProvider) {
            return prefix + "_ENABLED is false";
        }
        return missing.isEmpty() ? "it reports itself unavailable" : "set " + String.join(" and ", missing);
    }

    /** The built-in adapter for {@code name}: its own protocol for the native ones, OpenAI's for every other. */
    private static Provider adapter(String name, ProviderSettings settings, HttpTransport transport,
                                    boolean geminiEnabled, Map<String, String> environment) {
        return switch (name) {
            case ANTHROPIC -> new AnthropicProvider(settings, transport);
            case COHERE -> new CohereProvider(settings, transport);
            case DEEPGRAM -> new DeepgramProvider(settings, transport);
            case GEMINI -> new GeminiProvider(settings, transport, geminiEnabled);
            case BEDROCK -> new BedrockProvider(settings, environment, transport);
            case VERTEX_AI -> new VertexProvider(settings, environment, transport);
            case REPLICATE -> new ReplicateProvider(settings, transport);
            default -> new OpenAiProvider(settings, transport);
        };
    }

    private static Optional<String> guess(String model) {
        String exact = EXACT.get(model);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (Map.Entry<String, String> rule : PREFIXES) {
            if (model.startsWith(rule.getKey())) {
                return Optional.of(rule.getValue());
            }
        }
        return Optional.empty();
    }

    private static String echo(String text) {
        return text.length() <= MAX_ECHOED_MODEL ? text : text.substring(0, MAX_ECHOED_MODEL) + "…";
    }

    /**
     * Collects settings and adapters; {@link #build()} creates the registry. Not thread-safe.
     *
     * <p>Precedence for an OpenAI-compatible vendor: an environment variable beats an explicit
     * {@link ProviderSettings} value, which beats the vendor's default. An {@linkplain #addProvider added} adapter
     * replaces the built-in one of the same name.
     */
    public static final class Builder {
        private Map<String, String> environment = Map.of();
        private final Map<String, ProviderSettings> configured = new LinkedHashMap<>();
        private final Map<String, Provider> added = new LinkedHashMap<>();
        private Optional<String> defaultProvider = Optional.empty();
        private ModelCatalog catalog;

        private Builder() {
        }

        /** The model catalog to carry, e.g. the bundled one with a deployment's overrides; the bundled one if unset. */
        public Builder catalog(ModelCatalog modelCatalog) {
            this.catalog = Objects.requireNonNull(modelCatalog, "modelCatalog");
            return this;
        }

        /**
         * The variables to read ({@code <NAME>_API_KEY}, {@code <NAME>_API_BASE}, {@code <NAME>_API_VERSION}),
         * usually {@code System.getenv()}; replaces an earlier map.
         */
        public Builder environment(Map<String, String> variables) {
            this.environment = Map.copyOf(Objects.requireNonNull(variables, "variables"));
            return this;
        }

        /**
         * Explicit settings for one provider, e.g. from a config file. A name that is neither a known vendor nor a
         * native protocol declares another OpenAI-compatible server, which needs an {@code apiBase}. Settings for
         * {@code anthropic}, {@code gemini}, {@code cohere}, {@code deepgram}, {@code bedrock}, {@code vertex_ai} and
         * {@code replicate} configure their built-in adapters.
         *
         * @throws IllegalArgumentException if settings for this name were already given
         */
        public Builder provider(ProviderSettings providerSettings) {
            Objects.requireNonNull(providerSettings, "providerSettings");
            String name = providerSettings.name();
            if (configured.containsKey(name)) {
                throw new IllegalArgumentException("settings for provider '" + name + "' were already given");
            }
            configured.put(name, providerSettings);
            return this;
        }

        /**
         * Registers any adapter under its {@link Provider#name()}, replacing a built-in one of that name.
         *
         * @throws IllegalArgumentException if an adapter of that name was already added, or its name is not a valid
         *                                  provider name
         */
        public Builder addProvider(Provider provider) {
            Objects.requireNonNull(provider, "provider");
            String name = ProviderSettings.of(provider.name()).name();
            if (added.containsKey(name)) {
                throw new IllegalArgumentException("a provider named '" + name + "' was already added");
            }
            added.put(name, provider);
            return this;
        }

        /** Where model names go that carry no prefix and match no rule; by default they are an error. */
        public Builder defaultProvider(String name) {
            this.defaultProvider = Optional.of(Objects.requireNonNull(name, "name"));
            return this;
        }

        /**
         * @throws IllegalArgumentException if the default provider is not a known name, a declared server has no
         *                                  base URL, a base URL is malformed, or a key cannot be sent in a header
         */
        public ProviderRegistry build() {
            Set<String> names = new LinkedHashSet<>(OpenAiProvider.vendors());
            for (String name : configured.keySet()) {
                if (!NATIVE.contains(name)) {
                    names.add(name);
                }
            }
            Map<String, ProviderSettings> merged = new LinkedHashMap<>();
            for (String name : configured.keySet()) {
                merged.put(name, fromEnvironment(configured.get(name)));
            }
            for (String name : names) {
                ProviderSettings settings = merged.computeIfAbsent(name,
                        n -> fromEnvironment(ProviderSettings.of(n)));
                if (!OpenAiProvider.vendors().contains(name) && settings.apiBase().isEmpty()
                        && !added.containsKey(name)) {
                    throw new IllegalArgumentException("provider '" + name + "' is not a known vendor: "
                            + "give its API base");
                }
            }
            Set<String> known = new LinkedHashSet<>(names);
            known.addAll(NATIVE);
            known.addAll(added.keySet());
            defaultProvider.ifPresent(name -> {
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("default provider '" + name + "' is not a known provider");
                }
            });

            boolean geminiEnabled = !variable("GEMINI_ENABLED").map(String::strip)
                    .filter("false"::equalsIgnoreCase).isPresent();
            HttpTransport transport = HttpTransport.create();
            try {
                Map<String, Provider> adapters = new LinkedHashMap<>();
                List<String> ordered = new ArrayList<>(names);
                for (String name : added.keySet()) {
                    if (!names.contains(name)) {
                        ordered.add(name);
                    }
                }
                for (String builtIn : List.of(ANTHROPIC, GEMINI, COHERE, DEEPGRAM, BEDROCK, VERTEX_AI, REPLICATE)) {
                    if (!ordered.contains(builtIn)) {
                        ordered.add(builtIn);
                        merged.computeIfAbsent(builtIn, n -> fromEnvironment(ProviderSettings.of(n)));
                    }
                }
                ordered.sort(ORDER);
                for (String name : ordered) {
                    Provider provider = added.get(name);
                    if (provider == null) {
                        provider = adapter(name, merged.get(name), transport, geminiEnabled, environment);
                    }
                    adapters.put(name, provider);
                }
                return new ProviderRegistry(transport, Collections.unmodifiableMap(adapters), Map.copyOf(merged),
                        Set.copyOf(known), defaultProvider, catalog == null ? ModelCatalog.bundled() : catalog,
                        environment, geminiEnabled, Set.copyOf(added.keySet()));
            } catch (RuntimeException e) {
                transport.close();
                throw e;
            }
        }

        private ProviderSettings fromEnvironment(ProviderSettings given) {
            String prefix = given.environmentPrefix();
            return given.overriddenBy(variable(prefix + "_API_KEY"), variable(prefix + "_API_BASE"),
                    variable(prefix + "_API_VERSION"));
        }

        private Optional<String> variable(String name) {
            return Optional.ofNullable(environment.get(name));
        }
    }
}
