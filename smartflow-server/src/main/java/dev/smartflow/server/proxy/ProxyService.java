package dev.smartflow.server.proxy;

import dev.smartflow.core.Smartflow;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
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
import dev.smartflow.server.http.ErrorShape;
import dev.smartflow.server.http.MetricsRoute;
import dev.smartflow.server.http.RequestBody;
import dev.smartflow.server.http.RequestHeaders;
import dev.smartflow.server.http.ResponseWriter;
import dev.smartflow.server.http.Services;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAI-compatible proxy (port 7775): each handler turns the HTTP request into an {@link Exchange}, runs it
 * through the pipeline and writes the answer. Routes are served with and without the {@code /v1} prefix. Anthropic's
 * Messages API is served natively at {@code /anthropic/v1/messages} (and {@code /cursor/v1/messages}), token counting
 * at {@code .../v1/messages/count_tokens}: bodies, events and errors in Anthropic's shape. Media: images, speech
 * (audio bytes relayed as they arrive), transcriptions (multipart, the audio spooled to disk beyond a small size and
 * capped by {@link ServerConfig#maxAudioBytes()}) and rerank. {@code /metrics} serves the Prometheus metrics without a
 * key. {@code /health/ready} answers 503 while no provider is available or shared state is unreachable, without waiting
 * on either; {@code /health} (liveness) always answers 200.
 */
public final class ProxyService {
    private ProxyService() {
    }

    /**
     * @throws UncheckedIOException if the directory that spools uploaded audio cannot be created
     */
    public static Javalin create(Smartflow smartflow, ModelResolver resolver, SharedState state, Metrics metrics,
                                 ServerConfig config) {
        Transcriptions transcriptions;
        try {
            transcriptions = new Transcriptions(config.dataDir().resolve("uploads"), config.maxAudioBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the upload directory under " + config.dataDir(), e);
        }
        long max = config.maxRequestBytes();
        return Services.create("proxy", max, app -> {
            for (String prefix : new String[] {"/v1", ""}) {
                app.routes.post(prefix + "/chat/completions", ctx -> proxy(smartflow, ctx, Operation.CHAT, max));
                app.routes.post(prefix + "/completions", ctx -> proxy(smartflow, ctx, Operation.COMPLETIONS, max));
                app.routes.post(prefix + "/embeddings", ctx -> proxy(smartflow, ctx, Operation.EMBEDDINGS, max));
                app.routes.post(prefix + "/images/generations", ctx -> proxy(smartflow, ctx, Operation.IMAGES, max));
                app.routes.post(prefix + "/audio/speech", ctx -> proxy(smartflow, ctx, Operation.SPEECH, max));
                app.routes.post(prefix + "/audio/transcriptions", ctx -> transcribe(smartflow, ctx, transcriptions));
                app.routes.post(prefix + "/rerank", ctx -> proxy(smartflow, ctx, Operation.RERANK, max));
                app.routes.get(prefix + "/models", ctx -> proxy(smartflow, ctx, Operation.MODELS, max));
            }
            // Anthropic's own surface, for Anthropic SDKs and Claude Code (base URL .../anthropic) and Cursor.
            for (String prefix : ErrorShape.ANTHROPIC_PREFIXES) {
                app.routes.post(prefix + "/v1/messages",
                        ctx -> messages(smartflow, ctx, Operation.ANTHROPIC_MESSAGES, max));
                app.routes.post(prefix + "/v1/messages/count_tokens",
                        ctx -> messages(smartflow, ctx, Operation.ANTHROPIC_COUNT_TOKENS, max));
            }
            app.routes.get("/health/ready", ctx -> ready(ctx, resolver, state));
            MetricsRoute.register(app, metrics);
        });
    }

    private static void proxy(Smartflow smartflow, Context ctx, Operation operation, long max) throws Exception {
        run(smartflow, ctx, operation, new RequestHeaders(ctx).credentials(), ErrorShape.OPENAI, max);
    }

    /** Native Messages calls: Anthropic's error shape, its version and beta headers kept, no {@code [DONE]}. */
    private static void messages(Smartflow smartflow, Context ctx, Operation operation, long max) throws Exception {
        ErrorShape.ANTHROPIC.use(ctx);
        run(smartflow, ctx, operation, new RequestHeaders(ctx).anthropic(), ErrorShape.ANTHROPIC, max);
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

    private static void run(Smartflow smartflow, Context ctx, Operation operation, Headers headers, ErrorShape errors,
                            long maxRequestBytes) throws Exception {
        RequestId id = RequestId.fromHeader(ctx.req().getHeader("x-request-id"));
        ctx.attribute(Services.REQUEST_ID, id.value());
        Body body = operation.routed() ? Body.wrap(RequestBody.read(ctx, maxRequestBytes)) : Body.EMPTY;
        run(smartflow, ctx, operation, headers, errors, id, body, Attributes.EMPTY);
    }

    private static void run(Smartflow smartflow, Context ctx, Operation operation, Headers headers, ErrorShape errors,
                            RequestId id, Body body, Attributes attributes) throws Exception {
        Exchange exchange = new Exchange(id, TraceId.fromTraceparent(ctx.req().getHeader("traceparent")), operation,
                Principal.ANONYMOUS, body, headers, attributes);
        Response response = smartflow.execute(exchange);
        ResponseWriter.write(ctx, response, operation == Operation.CHAT || operation == Operation.COMPLETIONS,
                errors);
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
