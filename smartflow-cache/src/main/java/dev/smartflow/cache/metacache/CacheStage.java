package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.audit.Facts;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.cost.CostStage;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.StreamEnd;
import dev.smartflow.core.model.Usage;
import dev.smartflow.core.routing.RouteStage;
import dev.smartflow.core.spi.Embedder;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The MetaCache in the pipeline's cache slot: after authentication, rate limits and pre-call compliance (so a
 * redacted request is what gets cached, and an unknown caller never reads the cache), before the budget (so a hit
 * holds no budget headroom and costs the key nothing).
 *
 * <p>For a chat completion or an Anthropic Messages call it reads the request's {@link Controls}, computes its keys
 * ({@link RequestKey}) within the caller's {@link Scope}, and looks in L1, L3, then L2 ({@link Tiers}). A hit is
 * answered here, whole or replayed as a stream ({@link Replay}), noted on the audit trail with its tier, counted as
 * saved tokens and cost, and stamped {@code x-smartflow-cache-hit: true}, {@code x-smartflow-cache-key},
 * {@code x-smartflow-cache-tier} and, by meaning, {@code x-smartflow-cache-similarity}. A miss goes on down the
 * pipeline; its answer is stored when {@link Storable} accepts it: a complete answer at once, a stream when it has
 * been read to its end (each chunk is passed on as it arrives and only its text kept aside; a stream that fails or
 * is closed early is not stored).
 *
 * <p>The cache never fails a call: a shared-state outage or an embedder failure makes the call a miss (logged), and
 * only a malformed control header is the caller's error (400).
 */
final class CacheStage implements Stage {
    private static final System.Logger LOG = System.getLogger(CacheStage.class.getName());
    static final String HIT = "x-smartflow-cache-hit";
    static final String KEY = "x-smartflow-cache-key";
    static final String TIER = "x-smartflow-cache-tier";
    static final String SIMILARITY = "x-smartflow-cache-similarity";

    private final Tiers tiers;
    private final StatsCounter stats;
    private final CacheSettings settings;
    private final Pricing pricing;
    private final InstantSource clock;

    CacheStage(Tiers tiers, StatsCounter stats, CacheSettings settings, Pricing pricing, InstantSource clock) {
        this.tiers = Objects.requireNonNull(tiers, "tiers");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.pricing = Objects.requireNonNull(pricing, "pricing");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        Operation operation = exchange.operation();
        if (!settings.enabled() || operation != Operation.CHAT && operation != Operation.ANTHROPIC_MESSAGES) {
            return chain.proceed(exchange);
        }
        Controls controls = Controls.of(exchange.headers(), settings);
        Scope scope = new Scope(controls.namespace(), settings.shared(controls.namespace()) ? Scope.SHARED
                : exchange.principal().tenant());
        Optional<RequestKey> found = RequestKey.of(operation, scope.id(), exchange.body(),
                settings.semanticMaxChars());
        if (found.isEmpty() || tooRandom(exchange)) {
            return chain.proceed(exchange).withHeader(HIT, "false");
        }
        RequestKey key = found.get();
        Optional<String> text = key.semanticText().filter(t -> settings.semantic());
        float[] vector = null;
        if (controls.read()) {
            Optional<Tiers.Found> hit = Optional.empty();
            try {
                hit = tiers.exact(key.exact(), scope);
                if (hit.isEmpty() && text.isPresent()) {
                    vector = embed(text.get());
                    if (vector != null) {
                        hit = tiers.semantic(key.exact(), scope, key.context(), text.get(), vector,
                                controls.threshold());
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, exchange.id() + ": cache lookup failed, served as a miss: " + e);
            }
            // a key limited to some providers never receives another provider's answer, even its tenant's
            hit = hit.filter(h -> exchange.principal().allowsProvider(h.answer().provider()));
            if (hit.isPresent()) {
                return answer(exchange, hit.get());
            }
        }
        stats.add(StatsCounter.Field.MISSES, 1);
        Response response = chain.proceed(exchange).withHeader(HIT, "false").withHeader(KEY, key.exact());
        if (!controls.write() || response.status() != 200) {
            return response;
        }
        CachedAnswer.Format format = operation == Operation.CHAT ? CachedAnswer.Format.OPENAI
                : CachedAnswer.Format.ANTHROPIC;
        Optional<Tiers.Semantic> semantic = semantic(text, vector, key);
        return switch (response) {
            case Response.Complete complete -> {
                if (complete.body().length() <= settings.maxEntryBytes()) {
                    try {
                        store(exchange, key, scope, controls, format, complete.body().json(), complete, semantic);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, exchange.id() + ": answer not cached: " + e);
                    }
                }
                yield complete;
            }
            case Response.Streamed bytes when !bytes.events() -> bytes;
            case Response.Streamed streamed -> recorded(exchange, key, scope, controls, format, streamed, semantic);
        };
    }

    /** Whether the request asks for more randomness than the configuration lets the cache stand for. */
    private boolean tooRandom(Exchange exchange) {
        JsonNode temperature = exchange.body().json().path("temperature");
        return temperature.isNumber() && temperature.doubleValue() > settings.maxTemperature();
    }

    /** The vector for L2 storage: the lookup's, or made now (a {@code no-cache} request still stores). */
    private Optional<Tiers.Semantic> semantic(Optional<String> text, float[] lookupVector, RequestKey key) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        float[] vector = lookupVector != null ? lookupVector : embed(text.get());
        return vector == null ? Optional.empty() : Optional.of(new Tiers.Semantic(vector, key.context()));
    }

    /** The embedding of {@code text}, or null while the model loads or when it fails. */
    private float[] embed(String text) {
        Optional<Embedder> embedder = tiers.embedder();
        if (embedder.isEmpty() || !embedder.get().ready()) {
            return null;
        }
        try {
            return embedder.get().embed(text);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "embedding failed; the cache matches exactly only: " + e);
            return null;
        }
    }

    private Response answer(Exchange exchange, Tiers.Found hit) {
        CachedAnswer answer = hit.answer();
        Response response = exchange.streaming()
                ? Replay.streamed(answer, includeUsage(exchange))
                : Replay.complete(answer).withHeader(CostStage.COST_USD, "0.000000")
                        .withHeader(CostStage.COST_STATUS, "priced");
        response = response.withHeader(HIT, "true").withHeader(KEY, hit.key()).withHeader(TIER, hit.tier().id())
                .withHeader(RouteStage.PROVIDER, answer.provider()).withHeader(RouteStage.MODEL, answer.model());
        if (hit.tier() == Tiers.Tier.L2) {
            response = response.withHeader(SIMILARITY, String.format(Locale.ROOT, "%.4f", hit.similarity()));
        }
        exchange.get(Trail.KEY).ifPresent(trail -> trail.note(Facts.CACHE_HIT, new Facts.CacheHit(hit.tier().id())));
        stats.add(StatsCounter.Field.HITS, 1);
        stats.add(switch (hit.tier()) {
            case L1 -> StatsCounter.Field.L1_HITS;
            case L2 -> StatsCounter.Field.L2_HITS;
            case L3 -> StatsCounter.Field.L3_HITS;
        }, 1);
        Usage usage = answer.usage();
        stats.add(StatsCounter.Field.TOKENS_SAVED, usage.promptTokens() + usage.completionTokens());
        stats.add(StatsCounter.Field.COST_SAVED_MICROS, saved(answer));
        return response;
    }

    /** What the answer cost when it was made, at the catalog's price for what served it; 0 when unpriced. */
    private long saved(CachedAnswer answer) {
        try {
            return pricing.price(answer.provider(), answer.model()).map(price -> price.costMicros(answer.usage()))
                    .orElse(0L);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static boolean includeUsage(Exchange exchange) {
        JsonNode flag = exchange.body().json().path("stream_options").path("include_usage");
        return flag.isBoolean() && flag.booleanValue();
    }

    private void store(Exchange exchange, RequestKey key, Scope scope, Controls controls, CachedAnswer.Format format,
                       JsonNode json, Response served, Optional<Tiers.Semantic> semantic) {
        if (!Storable.answer(format, json)) {
            return;
        }
        String provider = served.headers().get(RouteStage.PROVIDER).orElse("unknown");
        String model = served.headers().get(RouteStage.MODEL).orElseGet(() -> json.path("model").asText("unknown"));
        String query = key.semanticText().orElse("");
        CachedAnswer answer = new CachedAnswer(format, Storable.body(json), provider, model, usage(format, json),
                query, clock.instant().plus(controls.ttl()));
        tiers.store(key.exact(), scope, answer, semantic);
    }

    /** Passes the stream on chunk by chunk, and stores the answer once it has been read to its end. */
    private Response recorded(Exchange exchange, RequestKey key, Scope scope, Controls controls,
                              CachedAnswer.Format format, Response.Streamed streamed,
                              Optional<Tiers.Semantic> semantic) {
        StreamAssembler assembler = new StreamAssembler(format, settings.maxEntryBytes());
        ChunkStream inner = streamed.chunks();
        ChunkStream tapped = new ChunkStream() {
            @Override
            public boolean hasNext() {
                return inner.hasNext();
            }

            @Override
            public Chunk next() {
                Chunk chunk = inner.next();
                assembler.accept(chunk);
                return chunk;
            }

            @Override
            public void close() {
                inner.close();
            }
        };
        return new Response.Streamed(streamed.status(), streamed.headers(), ChunkStream.onEnd(tapped, end -> {
            if (!(end instanceof StreamEnd.Completed)) {
                return;
            }
            try {
                Optional<Usage> metered = exchange.get(CostMeter.KEY).flatMap(CostMeter::usage);
                assembler.answer(metered).ifPresent(json -> store(exchange, key, scope, controls, format, json,
                        streamed, semantic));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, exchange.id() + ": streamed answer not cached: " + e);
            }
        }));
    }

    private static Usage usage(CachedAnswer.Format format, JsonNode answer) {
        JsonNode usage = answer.path("usage");
        if (format == CachedAnswer.Format.OPENAI) {
            return Usage.from(usage);
        }
        long read = Usage.count(usage.path("cache_read_input_tokens"), 0);
        long prompt = Usage.count(usage.path("input_tokens"), 0) + read
                + Usage.count(usage.path("cache_creation_input_tokens"), 0);
        long completion = Usage.count(usage.path("output_tokens"), 0);
        return new Usage(prompt, completion, prompt + completion, read);
    }
}
