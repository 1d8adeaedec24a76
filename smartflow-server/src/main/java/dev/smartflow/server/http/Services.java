package dev.smartflow.server.http;

import dev.smartflow.core.error.ClientClosed;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.error.PermissionDenied;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.error.Unauthorized;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.RequestId;
import dev.smartflow.core.keys.AuthStage;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.core.trace.TraceStage;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.ConnectionMetaData;

/**
 * What every service shares: a Javalin app on virtual threads with the OpenAI error shape for every failure (our own
 * exceptions, Javalin's, unknown routes, crashes, requests Jetty refuses before routing, a full {@link BodyBudget}; a
 * route may choose Anthropic's with {@link ErrorShape#use}, and paths under {@link ErrorShape#ANTHROPIC_PREFIXES} get
 * it anyway), {@code GET /health}, and master-key checks for admin routes. A call whose client went away
 * ({@link ClientClosed}) gets no answer: its connection is aborted.
 */
public final class Services {
    private static final System.Logger LOG = System.getLogger(Services.class.getName());
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
    /** Set by handlers that know the request id, so errors carry the same id as the success path would. */
    public static final String REQUEST_ID = "smartflow.request-id";

    private Services() {
    }

    /** A configured, not yet started app for the service {@code name}. */
    public static Javalin create(String name, long maxRequestBytes, Consumer<JavalinConfig> routes) {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = maxRequestBytes;
            config.http.prefer405over404 = true;
            // what Jetty refuses before routing (bad request line, headers, URI) answers in JSON too, not HTML
            config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors()));
            // Javalin attaches its servlet context inside this wrapper
            config.jetty.modifyServer(server -> server.setHandler(new UnreadBodies(maxRequestBytes)));
            // Javalin's LEGACY compliance lets %u0041 and other escapes through that Javalin's own path-parameter
            // decoding then throws on (a 500): Jetty refuses them instead (a 400)
            config.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(http.getUriCompliance().without(
                    "Javalin's without undecodable escapes", UriCompliance.Violation.UTF16_ENCODINGS,
                    UriCompliance.Violation.BAD_PERCENT_ENCODING)));
            config.routes.get("/health", ctx -> json(ctx, 200, HEALTHY));
            config.routes.exception(SmartflowException.class, Services::fail);
            config.routes.exception(BodyBudget.Busy.class, (e, ctx) -> {
                ctx.header("Retry-After", BodyBudget.RETRY_AFTER_SECONDS);
                fail(ctx, 503, ErrorShape.of(ctx).body(503, e.getMessage(), "server_error", "server_busy"));
            });
            config.routes.exception(HttpResponseException.class, (e, ctx) -> fail(ctx, e.getStatus(),
                    ErrorShape.of(ctx).body(e.getStatus(), e.getMessage(),
                            e.getStatus() >= 500 ? "server_error" : "invalid_request_error", code(e.getStatus()))));
            // the servlet API throws these from getContentType() and the body readers for a charset=... it lacks
            config.routes.exception(UnsupportedCharsetException.class, (e, ctx) -> unknownCharset(ctx));
            config.routes.exception(IllegalCharsetNameException.class, (e, ctx) -> unknownCharset(ctx));
            config.routes.exception(Exception.class, (e, ctx) -> crash(name, e, ctx));
            routes.accept(config);
        });
    }

    /** Javalin's own failures (unknown route, wrong method, body too large) as OpenAI error codes. */
    private static String code(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "request_too_large";
            default -> null;
        };
    }

    private static void unknownCharset(Context ctx) {
        fail(ctx, 400, ErrorShape.of(ctx).body(400, "the Content-Type header names an unknown character set; send"
                + " UTF-8", "invalid_request_error", "unsupported_charset"));
    }

    /**
     * Fails the request with 401 unless it presents a key {@code authenticator} accepts, or (presenting none) an
     * {@link AdminAccess}'s session admits it.
     */
    public static void requireKey(Context ctx, Authenticator authenticator) {
        Optional<String> presented = AuthStage.token(new RequestHeaders(ctx).credentials());
        if (presented.isEmpty() && authenticator instanceof AdminAccess access && access.admits(ctx)) {
            return;
        }
        String token = presented
                .orElseThrow(() -> new Unauthorized("missing API key: send it as 'Authorization: Bearer <key>'"));
        if (authenticator.authenticate(token).isEmpty()) {
            throw new Unauthorized("invalid API key");
        }
    }

    public static void json(Context ctx, int status, byte[] body) {
        ctx.status(status);
        ctx.res().setContentType("application/json");
        ctx.res().setContentLength(body.length);
        try {
            ctx.res().getOutputStream().write(body);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "client went away before the answer was written: " + e);
        }
    }

    static void fail(SmartflowException e, Context ctx) {
        if (e instanceof ClientClosed) {
            LOG.log(System.Logger.Level.DEBUG, () -> requestId(ctx) + ": " + e.getMessage());
            hangUp(ctx, e);
            return;
        }
        if (e instanceof UpstreamFailure upstream) {
            LOG.log(System.Logger.Level.WARNING, () -> requestId(ctx) + ": " + e.getMessage()
                    + (upstream.getCause() == null ? "" : " (" + upstream.getCause() + ")"));
        } else if (!(e instanceof InvalidRequest || e instanceof Unauthorized || e instanceof PermissionDenied
                || e instanceof NotFound
                // an outage of shared state is logged once by the state, not once per refused call
                || e instanceof StateUnavailable)) {
            LOG.log(System.Logger.Level.INFO, () -> requestId(ctx) + ": " + e.getMessage());
        }
        e.headers().forEach(ctx::header);
        fail(ctx, e.status(), ErrorShape.of(ctx).body(e));
    }

    /** Ends the exchange without an answer (or without the rest of one): the connection is closed. */
    static void abort(Context ctx, Throwable why) {
        ServletContextRequest.getServletContextRequest(ctx.req()).getServletChannel().abort(why);
    }

    /**
     * Ends an exchange whose client went away, writing nothing. An HTTP/1 connection is closed under the exchange
     * (the client closed its end already); aborting the servlet channel instead would have Jetty log a 500 it cannot
     * send, and Javalin an error. An HTTP/2 stream is aborted, which resets just that stream.
     */
    private static void hangUp(Context ctx, Throwable why) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        ConnectionMetaData connection = request.getConnectionMetaData();
        if (connection.getHttpVersion().getVersion() < 20) {
            connection.getConnection().getEndPoint().close(why);
        } else {
            request.getServletChannel().abort(why);
        }
    }

    private static void fail(Context ctx, int status, byte[] body) {
        String id = requestId(ctx);
        if (id != null) {
            ctx.header(TraceStage.REQUEST_ID, id);
        }
        json(ctx, status, body);
    }

    private static void crash(String service, Exception e, Context ctx) {
        RequestId id = new RequestId(requestId(ctx) == null ? RequestId.random().value() : requestId(ctx));
        LOG.log(System.Logger.Level.ERROR, service + " failed on request " + id, e);
        ctx.attribute(REQUEST_ID, id.value());
        fail(ctx, 500, ErrorShape.of(ctx).body(500, "internal error; request id " + id, "server_error",
                "internal_error"));
    }

    private static String requestId(Context ctx) {
        return ctx.attribute(REQUEST_ID);
    }
}
