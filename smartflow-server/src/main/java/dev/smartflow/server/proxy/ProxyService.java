package dev.smartflow.server.proxy;

import dev.smartflow.core.Smartflow;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.ClientAddress;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.RequestId;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.TraceId;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.core.metrics.Metrics;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.http.BodyBudget;
import dev.smartflow.server.http.DisconnectWatch;
import dev.smartflow.server.http.ErrorShape;
import dev.smartflow.server.http.MetricsRoute;
import dev.smartflow.server.http.RequestBody;
import dev.smartflow.server.http.RequestHeaders;
import dev.smartflow.server.http.ResponseWriter;
import dev.smartflow.server.http.Services;
import dev.smartflow.server.http.TreeMeter;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The OpenAI-compatible proxy (port 7775): each handler turns the HTTP request into an {@link Exchange}, runs it
 * through the pipeline and writes the answer. Routes are served with and without the {@code /v1} prefix. Anthropic's
 * Messages API is served natively at {@code /anthropic/v1/messages} (and {@code /cursor/v1/messages}), token counting
 * at {@code .../v1/messages/count_tokens}: bodies, events and errors in Anthropic's shape. Media: images, speech
 * (audio bytes relayed as they arrive), transcriptions (multipart, the audio spooled to disk beyond a small size and
 * capped by {@link ServerConfig#maxAudioBytes()}) and rerank. {@code /metrics} serves the Prometheus metrics without a
 * key. {@code /health/ready} answers 503 while no provider is available or shared state is unreachable, without waiting
 * on either; {@code /health} (liveness) always answers 200.
 *
 * <p>Every request with a body is charged to one {@link BodyBudget} before its body is read, and released once its
 * answer is written; a full budget answers 503. While the pipeline runs, a {@link DisconnectWatch} cancels the
 * exchange if the client goes away, which cancels its upstream call; the call is then audited with status 499.
 */
public final class ProxyService {
    private static final System.Logger LOG = System.getLogger(ProxyService.class.getName());

    private ProxyService() {
    }

    /**
     * @param budget what request bodies are charged to while they are in flight
     * @throws UncheckedIOException if the directory that spools uploaded audio cannot be created
     */
    public static Javalin create(Smartflow smartflow, ModelResolver resolver, SharedState state, Metrics metrics,
                                 BodyBudget budget, ServerConfig config, Consumer<JavalinConfig> moduleRoutes,
                                 String[] moduleHeaders) {
        Transcriptions transcriptions;
        try {
            transcriptions = new Transcriptions(config.dataDir().resolve("uploads"), config.maxAudioBytes(), budget);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the upload directory under " + config.dataDir(), e);
        }
        logBudget(budget, config.maxRequestBytes());
        JsonRoutes json = new JsonRoutes(smartflow, budget, config.maxRequestBytes(), moduleHeaders);
        return Services.create("proxy", config.maxRequestBytes(), app -> {
            transcriptions.configure(app);
            for (String prefix : new String[] {"/v1", ""}) {
                app.routes.post(prefix + "/chat/completions", ctx -> json.proxy(ctx, Operation.CHAT));
                app.routes.post(prefix + "/completions", ctx -> json.proxy(ctx, Operation.COMPLETIONS));
                app.routes.post(prefix + "/embeddings", ctx -> json.proxy(ctx, Operation.EMBEDDINGS));
                app.routes.post(prefix + "/images/generations", ctx -> json.proxy(ctx, Operation.IMAGES));
                app.routes.post(prefix + "/audio/speech", ctx -> json.proxy(ctx, Operation.SPEECH));
                app.routes.post(prefix + "/audio/transcriptions", ctx -> transcribe(smartflow, ctx, transcriptions));
                app.routes.post(prefix + "/rerank", ctx -> json.proxy(ctx, Operation.RERANK));
                app.routes.get(prefix + "/models", ctx -> json.proxy(ctx, Operation.MODELS));
            }
            // Anthropic's own surface, for Anthropic SDKs and Claude Code (base URL .../anthropic) and Cursor.
            for (String prefix : ErrorShape.ANTHROPIC_PREFIXES) {
                app.routes.post(prefix + "/v1/messages", ctx -> json.messages(ctx, Operation.ANTHROPIC_MESSAGES));
                app.routes.post(prefix + "/v1/messages/count_tokens",
                        ctx -> json.messages(ctx, Operation.ANTHROPIC_COUNT_TOKENS));
            }
            app.routes.get("/health/ready", ctx -> ready(ctx, resolver, state));
            MetricsRoute.register(app, metrics);
            moduleRoutes.accept(app);
        });
    }

    private static void logBudget(BodyBudget budget, long maxRequestBytes) {
        LOG.log(System.Logger.Level.INFO, "request bodies in flight may take " + budget.limitBytes() / (1024 * 1024)
                + " MiB of heap (max_inflight_body_bytes); the largest body that fits is " + budget.largestBody()
                + " bytes");
        if (budget.largestBody() < maxRequestBytes) {
            LOG.log(System.Logger.Level.WARNING, "max_request_bytes (" + maxRequestBytes + ") is more than the body "
                    + "budget can hold: bodies over " + budget.largestBody() + " bytes get 413; raise the heap or "
                    + "max_inflight_body_bytes, or lower max_request_bytes");
        }
    }

    /** The JSON routes: each body charged to the budget, read, parsed under the meter, and run. */
    private record JsonRoutes(Smartflow smartflow, BodyBudget budget, long maxRequestBytes, String[] moduleHeaders) {
        void proxy(Context ctx, Operation operation) throws Exception {
            run(ctx, operation, new RequestHeaders(ctx, moduleHeaders).credentials(), ErrorShape.OPENAI);
        }

        /** Native Messages calls: Anthropic's error shape, its version and beta headers kept, no {@code [DONE]}. */
        void messages(Context ctx, Operation operation) throws Exception {
            ErrorShape.ANTHROPIC.use(ctx);
            run(ctx, operation, new RequestHeaders(ctx, moduleHeaders).anthropic(), ErrorShape.ANTHROPIC);
        }

        private void run(Context ctx, Operation operation, Headers headers, ErrorShape errors) throws Exception {
            RequestId id = RequestId.fromHeader(ctx.req().getHeader("x-request-id"));
            ctx.attribute(Services.REQUEST_ID, id.value());
            if (!operation.routed()) {
                ProxyService.run(smartflow, ctx, operation, headers, errors, id, Body.EMPTY, Attributes.EMPTY);
                return;
            }
            try (BodyBudget.Charge charge = budget.admit(RequestBody.declaredLength(ctx, maxRequestBytes))) {
                Body body = Body.wrap(RequestBody.read(ctx, maxRequestBytes, charge));
                TreeMeter.parse(body, charge);
                ProxyService.run(smartflow, ctx, operation, headers, errors, id, body, Attributes.EMPTY);
            }
        }
    }

    /**
     * A route that runs its request through the pipeline as a module's {@code operation}: authenticated, rate limited,
     * budgeted and audited like any call, and answered by the module's stage. A JSON body, when the request has one, is
     * read under the body budget as the proxy's own routes read theirs; {@code attributes} carries what the stage needs
     * from the request beyond its body (path parameters, query parameters).
     */
    public static Handler moduleRoute(Supplier<Smartflow> smartflow, BodyBudget budget, long maxRequestBytes,
                                      String[] moduleHeaders, ModuleOperation operation,
                                      Function<Context, Attributes> attributes) {
        return moduleRoute(smartflow, budget, maxRequestBytes, moduleHeaders, operation, attributes,
                (ctx, headers) -> headers);
    }

    /**
     * As above, with {@code credentials} deciding what the exchange is authenticated with, given the request and the
     * headers it presented (an admin's browser session standing in for the master key, say).
     */
    public static Handler moduleRoute(Supplier<Smartflow> smartflow, BodyBudget budget, long maxRequestBytes,
                                      String[] moduleHeaders, ModuleOperation operation,
                                      Function<Context, Attributes> attributes,
                                      BiFunction<Context, Headers, Headers> credentials) {
        return ctx -> {
            RequestId id = RequestId.fromHeader(ctx.req().getHeader("x-request-id"));
            ctx.attribute(Services.REQUEST_ID, id.value());
            Headers headers = credentials.apply(ctx, new RequestHeaders(ctx, moduleHeaders).credentials());
            Attributes extra = attributes.apply(ctx);
            long declared = RequestBody.declaredLength(ctx, maxRequestBytes);
            if (declared == 0 || (declared < 0 && ctx.req().getHeader("transfer-encoding") == null)) {
                run(smartflow.get(), ctx, operation, headers, ErrorShape.OPENAI, id, Body.EMPTY, extra);
                return;
            }
            try (BodyBudget.Charge charge = budget.admit(declared)) {
                Body body = Body.wrap(RequestBody.read(ctx, maxRequestBytes, charge));
                TreeMeter.parse(body, charge);
                run(smartflow.get(), ctx, operation, headers, ErrorShape.OPENAI, id, body, extra);
            }
        };
    }

    /**
     * A multipart transcription: the form's fields as the body, its file beside it, spooled parts deleted after. A
     * caller who presents no key at all is refused (and audited) by the pipeline before its upload is read.
     */
    private static void transcribe(Smartflow smartflow, Context ctx, Transcriptions transcriptions) throws Exception {
        RequestId id = RequestId.fromHeader(ctx.req().getHeader("x-request-id"));
        ctx.attribute(Services.REQUEST_ID, id.value());
        Headers credentials = new RequestHeaders(ctx).credentials();
        if (credentials.size() == 0) {
            run(smartflow, ctx, Operation.TRANSCRIPTIONS, credentials, ErrorShape.OPENAI, id, Body.EMPTY,
                    Attributes.EMPTY);
            return;
        }
        try (Transcriptions.Form form = transcriptions.read(ctx)) {
            Attributes attributes = form.upload().map(upload -> Attributes.EMPTY.with(Upload.KEY, upload))
                    .orElse(Attributes.EMPTY);
            run(smartflow, ctx, Operation.TRANSCRIPTIONS, credentials, ErrorShape.OPENAI, id, form.body(),
                    attributes);
        }
    }

    /** Runs the exchange, its body read whole, and writes the answer; the client going away cancels it. */
    private static void run(Smartflow smartflow, Context ctx, Operation operation, Headers headers, ErrorShape errors,
                            RequestId id, Body body, Attributes attributes) throws Exception {
        Cancellation cancellation = new Cancellation();
        TraceId trace = trace(ctx);
        // on every answer, errors included: the caller joins its next hop to this run with it
        ctx.header(TraceId.HEADER, trace.value());
        Exchange exchange = new Exchange(id, trace, operation,
                Principal.ANONYMOUS, body, headers, attributes.with(Cancellation.KEY, cancellation)
                        .with(ClientAddress.KEY, new ClientAddress(ctx.req().getRemoteAddr())));
        try (DisconnectWatch ignored = DisconnectWatch.start(ctx, cancellation)) {
            Response response = smartflow.execute(exchange);
            ResponseWriter.write(ctx, response, operation == Operation.CHAT || operation == Operation.COMPLETIONS,
                    errors);
        }
    }

    /** The call's trace: {@code x-a2a-trace-id}, else {@code traceparent}'s, else fresh; a bad one is a 400. */
    private static TraceId trace(Context ctx) {
        try {
            return TraceId.fromHeaders(ctx.req().getHeader(TraceId.HEADER), ctx.req().getHeader("traceparent"));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest(e.getMessage(), "invalid_trace_id", TraceId.HEADER);
        }
    }

    private static void ready(Context ctx, ModelResolver resolver, SharedState state) {
        int available = resolver.available().size();
        int status = 503;
        String body;
        if (available == 0) {
            body = "{\"status\":\"not_ready\",\"reason\":\"no provider is available\"}";
        } else if (!state.reachable()) {
            // budgets and rate limits refuse calls (or count them only here) until it answers
            body = "{\"status\":\"not_ready\",\"reason\":\"shared state unreachable\",\"providers\":" + available
                    + "}";
        } else {
            status = 200;
            body = "{\"status\":\"ready\",\"providers\":" + available + "}";
        }
        Services.json(ctx, status, body.getBytes(StandardCharsets.UTF_8));
    }
}
