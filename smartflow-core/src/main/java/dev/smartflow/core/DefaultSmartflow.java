package dev.smartflow.core;

import dev.smartflow.core.audit.AuditStage;
import dev.smartflow.core.budget.BudgetStage;
import dev.smartflow.core.budget.Budgets;
import dev.smartflow.core.budget.RateLimitStage;
import dev.smartflow.core.budget.WorstCases;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.cost.CostStage;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.core.keys.AuthStage;
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
import dev.smartflow.core.routing.ModelsStage;
import dev.smartflow.core.routing.PlanStage;
import dev.smartflow.core.routing.RouteStage;
import dev.smartflow.core.routing.Routing;
import dev.smartflow.core.runs.RunStage;
import dev.smartflow.core.trace.TraceStage;
import dev.smartflow.core.validation.ValidationStage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class DefaultSmartflow implements Smartflow {
    private static final System.Logger LOG = System.getLogger(DefaultSmartflow.class.getName());
    private static final Principal IN_PROCESS = Principal.embedded("in-process");

    private final Pipeline pipeline;
    private final Routing routing;
    private final Optional<Budgets> budgets;
    private final List<AutoCloseable> closeables;
    private final boolean authenticates;
    private final boolean prices;
    private final Headers callHeaders;

    /** Builds the pipeline; what it creates and must close later joins the builder's own closeables. */
    static DefaultSmartflow create(Builder builder) {
        List<AutoCloseable> owned = new ArrayList<>();
        Routing routing = builder.routing != null ? builder.routing : routing(builder);
        Optional<Budgets> budgets = budgets(builder);
        budgets.ifPresent(owned::add);
        Pipeline pipeline = pipeline(builder, routing, budgets);
        owned.addAll(builder.closeables);
        return new DefaultSmartflow(pipeline, routing, budgets, List.copyOf(owned), builder.authenticator != null,
                builder.pricing != null, Headers.EMPTY);
    }

    private DefaultSmartflow(Pipeline pipeline, Routing routing, Optional<Budgets> budgets,
                             List<AutoCloseable> closeables, boolean authenticates, boolean prices, Headers callHeaders) {
        this.pipeline = pipeline;
        this.routing = routing;
        this.budgets = budgets;
        this.closeables = closeables;
        this.authenticates = authenticates;
        this.prices = prices;
        this.callHeaders = callHeaders;
    }

    private static Routing routing(Builder builder) {
        Routing.Builder routing = Routing.builder(builder.resolver).clock(builder.clock).ticker(builder.ticker);
        if (builder.sharedState != null) {
            routing.sharedState(builder.sharedState);
        }
        if (builder.pricing != null) {
            routing.pricing(builder.pricing);
        }
        if (builder.chainStore != null) {
            routing.chains(builder.chainStore);
        }
        if (builder.defaultChain != null) {
            routing.defaultChain(builder.defaultChain);
        }
        return routing.build();
    }

    /** The one {@link Budgets} of this pipeline: the budget stage's, and what a management API reads and resets. */
    private static Optional<Budgets> budgets(Builder builder) {
        if (builder.sharedState == null || builder.keyStore == null) {
            return Optional.empty();
        }
        return Optional.of(new Budgets(builder.sharedState, builder.keyStore, builder.clock, builder.spendListeners,
                builder.budgetsOnOutage));
    }

    /** The default order, in one place (see {@link Slot}). */
    private static Pipeline pipeline(Builder builder, Routing routing, Optional<Budgets> budgets) {
        Pipeline.Builder pipeline = Pipeline.builder().addStage(new TraceStage(builder.ticker));
        if (!builder.auditListeners.isEmpty()) {
            // outside every stage that can refuse a call, so refusals are recorded too
            pipeline.addStage(new AuditStage(builder.ticker, builder.clock, builder.auditListeners));
        }
        if (builder.authenticator != null) {
            pipeline.addStage(new AuthStage(builder.authenticator));
        }
        pipeline.addStage(new ValidationStage());
        if (builder.runs != null) {
            // before the modules' AUTHENTICATED stages, which answer reads (tool lists, task reads) themselves
            pipeline.addStage(RunStage.stopGate(builder.runs));
        }
        slot(builder, Slot.AUTHENTICATED).forEach(pipeline::addStage);
        if (builder.sharedState != null) {
            pipeline.addStage(new RateLimitStage(builder.sharedState, builder.rateLimitsOnOutage));
        }
        if (builder.runs != null) {
            // after the modules' AUTHENTICATED stages, which mark tool calls and agent hops; before the cache, so a
            // stopped run gets no cached answer either
            pipeline.addStage(new RunStage(builder.runs, new WorstCases(routing.planner(),
                    builder.pricing == null ? Pricing.none() : builder.pricing)));
        }
        slot(builder, Slot.PRE_CALL).forEach(pipeline::addStage);
        slot(builder, Slot.CACHE).forEach(pipeline::addStage);
        pipeline.addStage(new PlanStage(routing.planner()));
        budgets.ifPresent(b -> pipeline.addStage(new BudgetStage(b, routing.planner(),
                builder.pricing == null ? Pricing.none() : builder.pricing)));
        slot(builder, Slot.BEFORE_ROUTE).forEach(pipeline::addStage);
        pipeline.addStage(new ModelsStage(builder.resolver)).route(new RouteStage(routing));
        slot(builder, Slot.ATTEMPT).forEach(pipeline::addAttemptStage);
        if (builder.pricing != null) {
            // innermost, so it prices the provider's answer as sent, and only answers a provider gave
            pipeline.addAttemptStage(new CostStage(builder.pricing));
        }
        return pipeline.build();
    }

    private static List<Stage> slot(Builder builder, Slot slot) {
        return builder.slots.getOrDefault(slot, List.of());
    }

    @Override
    public Routing routing() {
        return routing;
    }

    @Override
    public Optional<Budgets> budgets() {
        return budgets;
    }

    @Override
    public Response execute(Exchange exchange) {
        return pipeline.execute(metered(exchange));
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        // stream_options goes too: OpenAI rejects it on a request that does not stream
        Body body = request.body().flag("stream")
                ? request.body().edit(o -> o.remove(List.of("stream", "stream_options")))
                : request.body();
        return ChatResponse.from(complete(call(Operation.CHAT, body)));
    }

    @Override
    public ChatStream chatStream(ChatRequest request) {
        Exchange exchange = metered(exchange(Operation.CHAT, request.streaming().body()));
        Response response = pipeline.execute(exchange);
        if (response instanceof Response.Streamed streamed) {
            return exchange.get(CostMeter.KEY).map(meter -> ChatStream.from(streamed, meter::cost))
                    .orElseGet(() -> ChatStream.from(streamed));
        }
        throw new IllegalStateException("a stage answered a streaming request with a complete response");
    }

    @Override
    public EmbeddingResponse embeddings(EmbeddingRequest request) {
        return EmbeddingResponse.from(complete(call(Operation.EMBEDDINGS, request.body())));
    }

    @Override
    public ModelList models() {
        return ModelList.from(complete(call(Operation.MODELS, Body.EMPTY)));
    }

    @Override
    public ImageResponse images(ImageRequest request) {
        return ImageResponse.from(complete(call(Operation.IMAGES, request.body())));
    }

    @Override
    public RerankResponse rerank(RerankRequest request) {
        return RerankResponse.from(complete(call(Operation.RERANK, request.body())));
    }

    @Override
    public SpeechAudio speech(SpeechRequest request) {
        Response response = call(Operation.SPEECH, request.body());
        if (response instanceof Response.Streamed streamed) {
            return SpeechAudio.from(streamed);
        }
        // a stage answered whole (a cache, later): the bytes are the audio all the same
        Response.Complete complete = (Response.Complete) response;
        return SpeechAudio.from(Response.Streamed.bytes(
                complete.headers().get("content-type").orElse("application/octet-stream"),
                ChunkStream.of(List.of(Chunk.data(complete.body())))));
    }

    @Override
    public TranscriptionResponse transcribe(TranscriptionRequest request) {
        Exchange exchange = metered(exchange(Operation.TRANSCRIPTIONS, request.body()).with(Upload.KEY,
                request.audio()));
        return TranscriptionResponse.from(complete(pipeline.execute(exchange)));
    }

    @Override
    public Smartflow withApiKey(String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey must not be blank");
        }
        return new DefaultSmartflow(pipeline, routing, budgets, closeables, authenticates, prices,
                callHeaders.with("authorization", "Bearer " + apiKey));
    }

    /** The stages in the order they run, for tests of the default order. */
    List<Stage> pipelineStages() {
        return pipeline.stages();
    }

    @Override
    public void close() {
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + closeable.getClass().getName() + " failed", e);
            }
        }
    }

    private Response call(Operation operation, Body body) {
        return pipeline.execute(metered(exchange(operation, body)));
    }

    private Exchange exchange(Operation operation, Body body) {
        Exchange exchange = Exchange.of(operation, body, callHeaders);
        return authenticates ? exchange : exchange.withPrincipal(IN_PROCESS);
    }

    /** With pricing, every call carries a meter: where a stream's cost lands when it ends, for whoever reads it. */
    private Exchange metered(Exchange exchange) {
        return prices && exchange.get(CostMeter.KEY).isEmpty() ? exchange.with(CostMeter.KEY, new CostMeter())
                : exchange;
    }

    private static Response.Complete complete(Response response) {
        if (response instanceof Response.Complete complete) {
            return complete;
        }
        ((Response.Streamed) response).chunks().close();
        throw new IllegalStateException("a stage answered a complete request with a stream");
    }
}
