package dev.smartflow.core;

import dev.smartflow.core.audit.AuditListener;
import dev.smartflow.core.budget.Budgets;
import dev.smartflow.core.budget.OutageMode;
import dev.smartflow.core.budget.SpendListener;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.core.model.ChatRequest;
import dev.smartflow.core.model.ChatResponse;
import dev.smartflow.core.model.ChatStream;
import dev.smartflow.core.model.EmbeddingRequest;
import dev.smartflow.core.model.EmbeddingResponse;
import dev.smartflow.core.model.ImageRequest;
import dev.smartflow.core.model.ImageResponse;
import dev.smartflow.core.model.ModelList;
import dev.smartflow.core.model.RerankRequest;
import dev.smartflow.core.model.RerankResponse;
import dev.smartflow.core.model.SpeechAudio;
import dev.smartflow.core.model.SpeechRequest;
import dev.smartflow.core.model.TranscriptionRequest;
import dev.smartflow.core.model.TranscriptionResponse;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.routing.Routing;
import dev.smartflow.core.runs.RunStage;
import dev.smartflow.core.runs.Runs;
import dev.smartflow.core.spi.ChainStore;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.SharedState;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The gateway as a library: every call goes through the same pipeline of stages that the HTTP server uses, in-process.
 *
 * <p>Thread-safe; build one per application and share it. Calls block until the provider answers (a stream: until its
 * first bytes), so call them from virtual threads when you make many at once. Failures are thrown as
 * {@link dev.smartflow.core.error.SmartflowException}s carrying the HTTP status and OpenAI error type the server would
 * send.
 *
 * <pre>{@code
 * try (Smartflow smartflow = Smartflow.builder()
 *         .resolver(ProviderRegistry.fromEnvironment())
 *         .build()) {
 *     ChatResponse answer = smartflow.chat(ChatRequest.of("gpt-4o-mini", "Say hello"));
 *     System.out.println(answer.content() + " via " + answer.provider());
 * }
 * }</pre>
 */
public interface Smartflow extends AutoCloseable {

    static Builder builder() {
        return new Builder();
    }

    /** Runs one exchange through the pipeline: the entry point of the server shell. */
    Response execute(Exchange exchange);

    /** A chat completion, whole. */
    ChatResponse chat(ChatRequest request);

    /** A chat completion as a stream of chunks; close the stream unless you read it to the end. */
    ChatStream chatStream(ChatRequest request);

    EmbeddingResponse embeddings(EmbeddingRequest request);

    /** Every model the configured providers offer, each id routable as a request's {@code model}. */
    ModelList models();

    /** Generated images ({@code /v1/images/generations}). */
    ImageResponse images(ImageRequest request);

    /** Documents ordered by relevance to a query ({@code /v1/rerank}, Cohere's shape). */
    RerankResponse rerank(RerankRequest request);

    /** Synthesised speech, relayed as it arrives; close it unless you read it to the end. */
    SpeechAudio speech(SpeechRequest request);

    /** A transcript of audio ({@code /v1/audio/transcriptions}); the audio is streamed to the provider. */
    TranscriptionResponse transcribe(TranscriptionRequest request);

    /**
     * A view of this instance whose calls present {@code apiKey}, for pipelines built with an
     * {@link Builder#authenticator(Authenticator) authenticator}. The view shares everything with this instance.
     */
    Smartflow withApiKey(String apiKey);

    /** The routing this pipeline routes with: chains, target health, the forced provider. */
    Routing routing();

    /** The budgets this pipeline enforces, when it enforces any (shared state and a key store set). */
    Optional<Budgets> budgets();

    /**
     * Releases the providers' connections. Calls under way may fail. Views made with {@link #withApiKey} share the
     * providers, so closing any of them closes all.
     */
    @Override
    void close();

    /**
     * Configures a {@link Smartflow}. Stages run in this order (see {@link Slot}): trace, audit (when a listener is
     * added), authenticate (when an authenticator is set), validate, {@link Slot#AUTHENTICATED}, rate limits (when
     * {@link #sharedState} is set), runs (when {@link #runs} are set), {@link Slot#PRE_CALL}, {@link Slot#CACHE}, plan, budget (with shared state and a
     * {@link #keyStore}), {@link Slot#BEFORE_ROUTE} (where {@link #addStage(Stage)} puts a stage), models, route; then
     * per provider attempt {@link Slot#ATTEMPT} and last the cost stage (when {@link #pricing} is set), next to the
     * provider.
     */
    final class Builder {
        ModelResolver resolver;
        Authenticator authenticator;
        Pricing pricing;
        Ticker ticker = Ticker.system();
        SharedState sharedState;
        Runs runs;
        OutageMode budgetsOnOutage = OutageMode.CLOSED;
        OutageMode rateLimitsOnOutage = OutageMode.CLOSED;
        KeyStore keyStore;
        InstantSource clock = InstantSource.system();
        final EnumMap<Slot, List<Stage>> slots = new EnumMap<>(Slot.class);
        Routing routing;
        ChainStore chainStore;
        String defaultChain;
        final List<AuditListener> auditListeners = new ArrayList<>();
        final List<SpendListener> spendListeners = new ArrayList<>();
        final List<AutoCloseable> closeables = new ArrayList<>();

        private Builder() {
        }

        /** Where models lead; required. If it is {@link AutoCloseable}, {@link Smartflow#close()} closes it. */
        public Builder resolver(ModelResolver resolver) {
            if (this.resolver != null) {
                throw new IllegalStateException("resolver was already set");
            }
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            if (resolver instanceof AutoCloseable closeable) {
                closeables.add(closeable);
            }
            return this;
        }

        /**
         * Requires every call to present a key this authenticator accepts. Without one, in-process calls run as the
         * embedding application.
         */
        public Builder authenticator(Authenticator authenticator) {
            if (this.authenticator != null) {
                throw new IllegalStateException("authenticator was already set");
            }
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Prices every provider attempt: complete answers get {@code x-smartflow-cost-usd} and
         * {@code x-smartflow-cost-status}, and a stream's cost is known once it ends ({@link ChatStream#cost()}).
         * Without pricing no cost is reported. See {@link dev.smartflow.core.cost.CostStage}.
         *
         * @throws IllegalStateException if pricing was already set
         */
        public Builder pricing(Pricing pricing) {
            if (this.pricing != null) {
                throw new IllegalStateException("pricing was already set");
            }
            this.pricing = Objects.requireNonNull(pricing, "pricing");
            return this;
        }

        /**
         * Enforces virtual keys' {@code rpm_limit} and {@code tpm_limit} in this shared state
         * ({@link dev.smartflow.core.budget.RateLimitStage}); with a {@link #keyStore} as well, their budgets
         * ({@link dev.smartflow.core.budget.BudgetStage}, priced with {@link #pricing}). Both run after validation and
         * before the stages added with {@link #addStage}. The caller closes the state.
         *
         * @throws IllegalStateException if shared state was already set
         */
        public Builder sharedState(SharedState state) {
            if (this.sharedState != null) {
                throw new IllegalStateException("sharedState was already set");
            }
            this.sharedState = Objects.requireNonNull(state, "sharedState");
            return this;
        }

        /**
         * Governs agent runs ({@link RunStage}, right after the rate limits): each run's limits, its kill switch and
         * loop detection, in the {@link Runs}' shared state. Without it no run is governed. Closed with the pipeline.
         *
         * @throws IllegalStateException if runs were already set
         */
        public Builder runs(Runs runs) {
            if (this.runs != null) {
                throw new IllegalStateException("runs were already set");
            }
            this.runs = Objects.requireNonNull(runs, "runs");
            closeables.add(runs);
            return this;
        }

        /**
         * What budgets and rate limits do with a call while the {@link #sharedState} is unreachable: refuse it with
         * 503 {@code state_unavailable} ({@link OutageMode#CLOSED}, the default for both) or serve it, counted in this
         * instance until the state answers again ({@link OutageMode#OPEN}).
         */
        public Builder onStateOutage(OutageMode budgets, OutageMode rateLimits) {
            this.budgetsOnOutage = Objects.requireNonNull(budgets, "budgets");
            this.rateLimitsOnOutage = Objects.requireNonNull(rateLimits, "rateLimits");
            return this;
        }

        /**
         * Where budgets' spend is kept durably, per key and period; with {@link #sharedState}, enables budgets. The
         * caller closes it.
         *
         * @throws IllegalStateException if a key store was already set
         */
        public Builder keyStore(KeyStore store) {
            if (this.keyStore != null) {
                throw new IllegalStateException("keyStore was already set");
            }
            this.keyStore = Objects.requireNonNull(store, "keyStore");
            return this;
        }

        /** The wall clock that picks budget periods (in UTC); {@link InstantSource#system()} by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The time source for latency figures; {@link Ticker#system()} by default. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** An exchange stage of your own, run after the budget and before routing ({@link Slot#BEFORE_ROUTE}). */
        public Builder addStage(Stage stage) {
            return addStage(Slot.BEFORE_ROUTE, stage);
        }

        /** A stage of your own at {@code slot}; stages of one slot run in the order they were added. */
        public Builder addStage(Slot slot, Stage stage) {
            slots.computeIfAbsent(Objects.requireNonNull(slot, "slot"), s -> new ArrayList<>())
                    .add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        /** Lets {@code module} add its stages, listeners and closeables. */
        public Builder install(SmartflowModule module) {
            Objects.requireNonNull(module, "module").install(this);
            return this;
        }

        /** Closed by {@link Smartflow#close()}, in the order added, after the providers. */
        public Builder closeWith(AutoCloseable closeable) {
            closeables.add(Objects.requireNonNull(closeable, "closeable"));
            return this;
        }

        /**
         * Enables fallback chains, kept in {@code store} (see {@link Routing}). Without it a call's model is always a
         * plain model.
         */
        public Builder chainStore(ChainStore store) {
            this.chainStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The chain every plain model falls back to (unless its key names its own); needs {@link #chainStore}. */
        public Builder defaultChain(String name) {
            this.defaultChain = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The routing to use, built by the caller (to share it with a management API, or to set circuits, a sleeper
         * or a random source in tests); otherwise one is built from this builder's resolver, shared state, clock,
         * ticker, pricing and chain store. Its resolver must be this builder's.
         */
        public Builder routing(Routing value) {
            this.routing = Objects.requireNonNull(value, "routing");
            return this;
        }

        /**
         * Tells {@code listener} of every call once it is over, failures included, with its
         * {@link dev.smartflow.core.spi.AuditRecord} (see {@link dev.smartflow.core.audit.AuditStage}). With at
         * least one listener the audit stage runs right after trace, before authentication. Tokens and cost are
         * recorded only with {@link #pricing}. The caller closes listeners that need closing, after this instance.
         */
        public Builder addAuditListener(AuditListener listener) {
            auditListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Tells {@code listener} what virtual keys have spent in their budget period, behind the request (see
         * {@link SpendListener}). Only keys with a budget are told, and only when budgets run ({@link #sharedState}
         * and {@link #keyStore} set). The caller closes listeners that need closing, after this instance.
         */
        public Builder addSpendListener(SpendListener listener) {
            spendListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** An attempt stage of your own, run once per provider attempt ({@link Slot#ATTEMPT}). */
        public Builder addAttemptStage(Stage stage) {
            return addStage(Slot.ATTEMPT, stage);
        }

        /** @throws IllegalStateException if no resolver was set */
        public Smartflow build() {
            if (resolver == null) {
                throw new IllegalStateException("a resolver is required: Smartflow.builder().resolver(...)");
            }
            return DefaultSmartflow.create(this);
        }
    }
}
