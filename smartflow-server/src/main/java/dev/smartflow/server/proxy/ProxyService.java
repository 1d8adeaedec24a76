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
import dev.smartflow.core.metrics.Metrics;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.http.ErrorShape;
import dev.smartflow.server.http.MetricsRoute;
import dev.smartflow.server.http.RequestHeaders;
import dev.smartflow.server.http.ResponseWriter;
import dev.smartflow.server.http.Services;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAI-compatible proxy (port 7775): each handler turns the HTTP request into an {@link Exchange}, runs it
 * through the pipeline and writes the answer. Routes are served with and without the {@code /v1} prefix. Anthropic's
 * Messages API is served natively at {@code /anthropic/v1/messages} (and {@code /cursor/v1/messages}), token counting
 * at {@code .../v1/messages/count_tokens}: bodies, events and errors in Anthropic's shape. {@code /metrics} serves the
 * Prometheus metrics without a key.
 */
public final class ProxyService {
    private ProxyService() {
    }

    public static Javalin create(Smartflow smartflow, ModelResolver resolver, Metrics metrics, ServerConfig config) {
        return Services.create("proxy", config.maxRequestBytes(), app -> {
            for (String prefix : new String[] {"/v1", ""}) {
                app.routes.post(prefix + "/chat/completions", ctx -> proxy(smartflow, ctx, Operation.CHAT));
                app.routes.post(prefix + "/completions", ctx -> proxy(smartflow, ctx, Operation.COMPLETIONS));
                app.routes.post(prefix + "/embeddings", ctx -> proxy(smartflow, ctx, Operation.EMBEDDINGS));
                app.routes.get(prefix + "/models", ctx -> proxy(smartflow, ctx, Operation.MODELS));
            }
            // Anthropic's own surface, for Anthropic SDKs and Claude Code (base URL .../anthropic) and Cursor.
            for (String prefix : new String[] {"/anthropic", "/cursor"}) {
                app.routes.post(prefix + "/v1/messages", ctx -> messages(smartflow, ctx, Operation.ANTHROPIC_MESSAGES));
                app.routes.post(prefix + "/v1/messages/count_tokens",
                        ctx -> messages(smartflow, ctx, Operation.ANTHROPIC_COUNT_TOKENS));
            }
            app.routes.get("/health/ready", ctx -> ready(ctx, resolver));
            MetricsRoute.register(app, metrics);
        });
    }

    private static void proxy(Smartflow smartflow, Context ctx, Operation operation) throws Exception {
        run(smartflow, ctx, operation, new RequestHeaders(ctx).credentials(), ErrorShape.OPENAI);
    }

    /** Native Messages calls: Anthropic's error shape, its version and beta headers kept, no {@code [DONE]}. */
    private static void messages(Smartflow smartflow, Context ctx, Operation operation) throws Exception {
        ErrorShape.ANTHROPIC.use(ctx);
        run(smartflow, ctx, operation, new RequestHeaders(ctx).anthropic(), ErrorShape.ANTHROPIC);
    }

    private static void run(Smartflow smartflow, Context ctx, Operation operation, Headers headers, ErrorShape errors)
            throws Exception {
        RequestId id = RequestId.fromHeader(ctx.req().getHeader("x-request-id"));
        ctx.attribute(Services.REQUEST_ID, id.value());
        Body body = operation.routed() ? Body.wrap(ctx.bodyAsBytes()) : Body.EMPTY;
        Exchange exchange = new Exchange(id, TraceId.fromTraceparent(ctx.req().getHeader("traceparent")), operation,
                Principal.ANONYMOUS, body, headers, Attributes.EMPTY);
        Response response = smartflow.execute(exchange);
        ResponseWriter.write(ctx, response, operation == Operation.CHAT || operation == Operation.COMPLETIONS,
                errors);
    }

    private static void ready(Context ctx, ModelResolver resolver) {
        int available = resolver.available().size();
        String body = available > 0
                ? "{\"status\":\"ready\",\"providers\":" + available + "}"
                : "{\"status\":\"not_ready\",\"reason\":\"no provider is available\"}";
        Services.json(ctx, available > 0 ? 200 : 503, body.getBytes(StandardCharsets.UTF_8));
    }
}
