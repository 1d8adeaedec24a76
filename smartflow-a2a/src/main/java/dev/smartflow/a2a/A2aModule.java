package dev.smartflow.a2a;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.smartflow.core.Slot;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import dev.smartflow.server.http.Services;
import dev.smartflow.server.module.SecretBox;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The A2A agent gateway as a server module ({@code a2a:} section of the configuration file). On the proxy port:
 * <ul>
 *   <li>{@code /api/a2a/agents}: the registry, for the master key (see {@link RegistryRoutes});</li>
 *   <li>{@code GET /a2a/{agent_id}/.well-known/agent-card.json} (and the older {@code agent.json}): the agent's card,
 *       rewritten to the gateway (see {@link Cards}); public, as A2A's discovery documents are;</li>
 *   <li>{@code POST /a2a/{agent_id}}: JSON-RPC of A2A 1.0 and 0.3, and the API reference's simple task body; and the
 *       REST binding, {@code POST /a2a/{agent_id}/message:send}, {@code /message:stream},
 *       {@code GET /a2a/{agent_id}/tasks}, {@code /tasks/{id}}, {@code POST /tasks/{id}:cancel} and
 *       {@code /tasks/{id}:subscribe}: for virtual keys allowed to call the agent, through the pipeline as the module
 *       operation {@code a2a.task} (see {@link A2aEndpoint}).</li>
 * </ul>
 * A refusal of the pipeline's own stages (no key, a bad key, a body too large) is answered in the caller's binding too.
 */
public final class A2aModule implements ServerModule {
    private static final System.Logger LOG = System.getLogger(A2aModule.class.getName());
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]{1,255}");

    @Override
    public String name() {
        return "a2a";
    }

    @Override
    public void install(ModuleContext context) {
        A2aSettings settings = A2aSettings.from(context.config());
        if (!settings.enabled()) {
            LOG.log(System.Logger.Level.INFO, "the A2A gateway is off (a2a.enabled: false)");
            return;
        }
        SecretBox box = settings.encryptionKey().map(SecretBox::fromPassphrase)
                .orElseGet(() -> SecretBox.fromMasterKey(context.server().masterKey()
                        .orElseThrow(() -> new IllegalStateException("the A2A gateway needs the master key")),
                        "smartflow-a2a-secrets-v1"));
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        context.closeWith(background::shutdownNow);
        HttpTransport http = HttpTransport.create();
        context.closeWith(http);

        Agents agents = new Agents(context.database().a2aAgents(), box, context.state(), settings.statePrefix(),
                context.clock(), background);
        context.closeWith(agents);
        Upstream upstream = new Upstream(http, settings.upstreamTimeout());
        Cards cards = new Cards(upstream, context.clock(), settings.cardTtl());
        agents.onChange(() -> agents.all().forEach(entry -> cards.forget(entry.id())));
        A2aEndpoint endpoint = new A2aEndpoint(agents, cards, upstream, new A2aMetrics(context.metrics()));
        context.pipeline().addStage(Slot.AUTHENTICATED, endpoint.stage())
                .addStage(Slot.BEFORE_ROUTE, endpoint.calls());

        RegistryRoutes registry = new RegistryRoutes(agents, context.master(), cards);
        context.routes(Service.PROXY, app -> {
            registry.register(app);
            cardRoutes(app, agents, cards, settings);
            taskRoutes(app, context);
        });
    }

    private static void cardRoutes(JavalinConfig app, Agents agents, Cards cards, A2aSettings settings) {
        Handler card = ctx -> {
            String id = ctx.pathParam("agent_id");
            Agents.Entry entry = agents.get(id).orElseThrow(() -> GatewayError.of(404, "invalid_request_error",
                    "agent_not_found", "no A2A agent '" + (AgentDefinition.ID.matcher(id).matches() ? id
                            : "(that id)") + "' is registered"));
            try {
                JsonNode rewritten = Cards.rewrite(cards.card(entry), gatewayUrl(ctx, settings, entry.id()));
                ctx.header("Cache-Control", "max-age=" + settings.cardTtl().toSeconds());
                answer(ctx, 200, rewritten);
            } catch (A2aError e) {
                throw GatewayError.of(e.httpStatus() == 200 ? 502 : e.httpStatus(), "server_error", e.reason(),
                        "the agent's card cannot be had: " + e.getMessage());
            }
        };
        app.routes.get("/a2a/{agent_id}/.well-known/agent-card.json", card);
        app.routes.get("/a2a/{agent_id}/.well-known/agent.json", card);
    }

    private static String gatewayUrl(Context ctx, A2aSettings settings, String agentId) {
        String base = settings.publicUrl().orElseGet(() -> {
            String host = Optional.ofNullable(ctx.header("Host")).filter(h -> HOST.matcher(h).matches())
                    .orElse("localhost");
            return ctx.scheme() + "://" + host;
        });
        return base + "/a2a/" + agentId;
    }

    private static void taskRoutes(JavalinConfig app, ModuleContext context) {
        app.routes.post("/a2a/{agent_id}", refusals(context.pipelineRoute(A2aEndpoint.TASK,
                ctx -> attributes(ctx, Optional.empty(), Optional.empty())), false));
        Handler messages = refusals(context.pipelineRoute(A2aEndpoint.TASK, ctx -> attributes(ctx,
                Optional.of(ctx.pathParam("action").equals("message:stream") ? A2aEndpoint.RestOp.STREAM
                        : A2aEndpoint.RestOp.SEND), Optional.empty())), true);
        app.routes.post("/a2a/{agent_id}/{action}", ctx -> {
            String action = ctx.pathParam("action");
            if (!action.equals("message:send") && !action.equals("message:stream")) {
                notFound(ctx);
                return;
            }
            messages.handle(ctx);
        });
        app.routes.get("/a2a/{agent_id}/tasks", refusals(context.pipelineRoute(A2aEndpoint.TASK,
                ctx -> attributes(ctx, Optional.of(A2aEndpoint.RestOp.LIST), Optional.empty())), true));
        Handler task = refusals(context.pipelineRoute(A2aEndpoint.TASK, ctx -> {
            String ref = ctx.pathParam("task_ref");
            A2aEndpoint.RestOp op;
            if (ref.endsWith(":cancel")) {
                op = A2aEndpoint.RestOp.CANCEL;
            } else if (ref.endsWith(":subscribe")) {
                op = A2aEndpoint.RestOp.SUBSCRIBE;
            } else {
                op = A2aEndpoint.RestOp.GET;
            }
            String id = op == A2aEndpoint.RestOp.GET ? ref : ref.substring(0, ref.lastIndexOf(':'));
            return attributes(ctx, Optional.of(op), Optional.of(id));
        }), true);
        app.routes.get("/a2a/{agent_id}/tasks/{task_ref}", ctx -> {
            if (ctx.pathParam("task_ref").endsWith(":cancel")) {
                notFound(ctx);
                return;
            }
            task.handle(ctx);
        });
        app.routes.post("/a2a/{agent_id}/tasks/{task_ref}", ctx -> {
            String ref = ctx.pathParam("task_ref");
            if (!ref.endsWith(":cancel") && !ref.endsWith(":subscribe")) {
                notFound(ctx);
                return;
            }
            task.handle(ctx);
        });
    }

    private static Attributes attributes(Context ctx, Optional<A2aEndpoint.RestOp> rest, Optional<String> taskId) {
        Map<String, String> query = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((name, values) -> {
            if (!values.isEmpty()) {
                query.put(name, values.getFirst());
            }
        });
        Optional<String> version = Optional.ofNullable(ctx.header("A2A-Version"))
                .or(() -> Optional.ofNullable(ctx.queryParam("A2A-Version"))).filter(v -> !v.isBlank());
        return Attributes.EMPTY.with(A2aEndpoint.HTTP, new A2aEndpoint.HttpCall(ctx.pathParam("agent_id"), rest,
                taskId, version, Map.copyOf(query)));
    }

    /**
     * Answers what the pipeline's own stages refuse (no key, a bad key, a body over the limit) in the caller's binding
     * rather than in OpenAI's shape: A2A clients read JSON-RPC errors, or the REST binding's status.
     */
    private static Handler refusals(Handler route, boolean rest) {
        return ctx -> {
            try {
                route.handle(ctx);
            } catch (SmartflowException e) {
                if (ctx.res().isCommitted()) {
                    throw e;
                }
                int code = switch (e.status()) {
                    case 401 -> A2aError.UNAUTHORIZED;
                    case 403 -> A2aError.FORBIDDEN;
                    case 429 -> A2aError.LIMITED;
                    case 503 -> A2aError.UNAVAILABLE;
                    case 400 -> e.code().filter("invalid_json"::equals).isPresent() ? A2aError.PARSE_ERROR
                            : A2aError.INVALID_REQUEST;
                    case 413, 415 -> A2aError.INVALID_REQUEST;
                    default -> A2aError.INTERNAL_ERROR;
                };
                A2aError error = A2aError.of(code, e.getMessage()).withStatus(e.status())
                        .because(e.code().orElse("refused"));
                if (e.status() == 401) {
                    ctx.header("WWW-Authenticate", "Bearer");
                }
                answer(ctx, rest ? error.restStatus() : error.httpStatus(), rest ? error.restAnswer()
                        : error.rpcAnswer(NullNode.getInstance()));
            }
        };
    }

    private static void notFound(Context ctx) {
        answer(ctx, 404, A2aError.of(A2aError.METHOD_NOT_FOUND, "no A2A operation at " + ctx.method() + " "
                + (ctx.path().length() > 200 ? ctx.path().substring(0, 200) + "…" : ctx.path())).restAnswer());
    }

    private static void answer(Context ctx, int status, JsonNode json) {
        try {
            Services.json(ctx, status, Body.MAPPER.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer", e);
        }
    }
}
