package dev.smartflow.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Stage;
import dev.smartflow.core.audit.Facts;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.budget.WorstCase;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.error.BudgetExceeded;
import dev.smartflow.core.error.RateLimited;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.exchange.Attribute;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.StreamEnd;
import dev.smartflow.core.model.Cost;
import dev.smartflow.core.runs.RunCall;
import dev.smartflow.core.runs.RunRefused;
import dev.smartflow.providers.sse.SseDecoder;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import okhttp3.Request;

/**
 * Serves A2A calls to registered agents through the pipeline, as the module operation {@code a2a.task}.
 *
 * <p><b>Two stages.</b> The first, at {@code AUTHENTICATED}, finds the agent, checks that the caller's key may call it,
 * reads the request (JSON-RPC of A2A 1.0 or 0.3, the REST binding, or the API reference's simple task body) into the
 * 1.0 shape, picks the agent's interface from its card, and goes on with the task's price as the exchange's
 * {@link WorstCase} (sends only; reads are free), so the rate limits and the budget stage see the call. The second,
 * at {@code BEFORE_ROUTE}, speaks to the agent in its binding and revision and records the price on the
 * {@link CostMeter} once the agent has taken the task (nothing when it failed, so the hold is released). Refusals on
 * the way (unknown agent, key not allowed, budget, rate limit, agent down or answering garbage) come back to the first
 * stage and are answered in the caller's binding ({@link A2aError}).
 *
 * <p><b>Streams</b> ({@code SendStreamingMessage}, {@code SubscribeToTask}) are relayed event by event as the agent
 * sends them, each translated to the caller's revision; nothing is buffered. A stream the agent breaks off ends with
 * an error event.
 *
 * <p><b>Trace.</b> Every call to the agent carries the exchange's trace id as {@code x-a2a-trace-id} and
 * {@code traceparent}; every answer carries {@code x-a2a-trace-id}.
 *
 * <p><b>What is kept.</b> The audit record of each call (route {@code /a2a}, status, latency, cost), the metric
 * {@code smartflow_a2a_tasks_total{agent,method,status}} and a DEBUG line per task with sizes and the task's state;
 * never the messages' content.
 */
final class A2aEndpoint {
    static final ModuleOperation TASK = new ModuleOperation("a2a.task", "/a2a", true, true);
    static final Attribute<HttpCall> HTTP = Attribute.of("a2a.http", HttpCall.class);
    private static final Attribute<Plan> PLAN = Attribute.of("a2a.plan", Plan.class);
    private static final System.Logger LOG = System.getLogger(A2aEndpoint.class.getName());

    /** How the caller spoke. */
    enum Binding {
        JSONRPC, REST, SIMPLE
    }

    /** The REST operations of the binding the gateway serves. */
    enum RestOp {
        SEND(Wire.Method.SEND), STREAM(Wire.Method.STREAM), GET(Wire.Method.GET), LIST(Wire.Method.LIST),
        CANCEL(Wire.Method.CANCEL), SUBSCRIBE(Wire.Method.SUBSCRIBE);

        final Wire.Method method;

        RestOp(Wire.Method method) {
            this.method = method;
        }
    }

    /**
     * What the HTTP request said beyond its body.
     *
     * @param rest     the REST operation, for the REST binding
     * @param taskId   the task of a REST path
     * @param version  the caller's {@code A2A-Version} (header or query parameter)
     * @param query    the REST call's query parameters (for get and list)
     * @param gateway  the gateway's URL of this agent, for answers that name it
     */
    record HttpCall(String agentId, Optional<RestOp> rest, Optional<String> taskId, Optional<String> version,
                    Map<String, String> query) {
    }

    /** A call read into the 1.0 shape. */
    private record Call(Binding binding, Wire.Method method, Wire.Version version, ObjectNode params, JsonNode rpcId,
                        Optional<JsonNode> simpleId) {
    }

    /** What the second stage needs, and what it learnt for the first. */
    private record Plan(Agents.Entry entry, Cards.Interface target, Call call, long priceMicros, Outcome outcome) {
    }

    /** What happened, for the metric and the log line. */
    private static final class Outcome {
        volatile String state = "none";
        volatile String status = "ok";
        volatile long bytesOut;
    }

    private final Agents agents;
    private final Cards cards;
    private final Upstream upstream;
    private final A2aMetrics metrics;

    A2aEndpoint(Agents agents, Cards cards, Upstream upstream, A2aMetrics metrics) {
        this.agents = agents;
        this.cards = cards;
        this.upstream = upstream;
        this.metrics = metrics;
    }

    /** The stage that reads, checks and answers A2A calls (at the {@code AUTHENTICATED} slot). */
    Stage stage() {
        return (exchange, chain) -> {
            if (!exchange.operation().equals(TASK)) {
                return chain.proceed(exchange);
            }
            HttpCall http = exchange.get(HTTP).orElseThrow();
            Optional<Call> call = Optional.empty();
            String agent = "unknown";
            Outcome outcome = new Outcome();
            try {
                Agents.Entry entry = agents.get(http.agentId()).orElseThrow(() -> A2aError.of(A2aError.NOT_FOUND,
                        "no A2A agent '" + shown(http.agentId()) + "' is registered"));
                if (!entry.definition().allows(exchange.principal())) {
                    // an agent the key may not call is named, not described: its card is public anyway
                    throw A2aError.of(A2aError.FORBIDDEN, "this key may not call A2A agent '" + entry.id()
                            + "'; ask an administrator to add it to the agent's allowed_keys or allowed_tags");
                }
                agent = entry.id();
                call = Optional.of(read(exchange, http));
                Wire.Method method = call.get().method();
                // a task sent (or streamed) is a hop of the run; reading or cancelling one is not
                Exchange hop = method.billed ? markAgentHop(exchange, entry.id()) : exchange;
                if (method.push()) {
                    throw A2aError.of(A2aError.PUSH_NOT_SUPPORTED, "push notifications are not relayed by the "
                            + "gateway; stream the task (SendStreamingMessage) or poll it (GetTask)");
                }
                if (method == Wire.Method.EXTENDED_CARD) {
                    throw A2aError.of(A2aError.EXTENDED_CARD_NOT_CONFIGURED, "the gateway serves no extended agent "
                            + "card; read the public card at /a2a/" + entry.id() + "/.well-known/agent-card.json");
                }
                Cards.Interface target = choose(cards.interfaces(entry), call.get().binding());
                long price = method.billed ? entry.definition().costMicros() : 0;
                Plan plan = new Plan(entry, target, call.get(), price, outcome);
                Response response;
                try {
                    response = chain.proceed(hop.with(WorstCase.KEY, new WorstCase(price)).with(PLAN, plan));
                } catch (BudgetExceeded e) {
                    throw A2aError.of(A2aError.LIMITED, e.getMessage()).because("budget_exceeded");
                } catch (RateLimited e) {
                    throw A2aError.of(A2aError.LIMITED, e.getMessage()).because("rate_limited");
                } catch (StateUnavailable e) {
                    throw A2aError.of(A2aError.UNAVAILABLE, "the gateway cannot reach its shared state; try again")
                            .because("state_unavailable");
                } catch (RunRefused e) {
                    throw runRefused(e);
                } catch (SmartflowException e) {
                    throw A2aError.of(A2aError.INTERNAL_ERROR, e.getMessage()).withStatus(e.status())
                            .because(e.code().orElse("refused"));
                }
                String finalAgent = agent;
                Call served = call.get();
                if (response instanceof Response.Streamed streamed) {
                    return new Response.Streamed(streamed.status(), streamed.headers().with("x-a2a-trace-id",
                            exchange.traceId().value()), ChunkStream.onEnd(new RunStopEvent(streamed.chunks(), served,
                            outcome), end -> record(exchange,
                            finalAgent, served, end instanceof StreamEnd.Failed ? "stream_failed" : outcome.status,
                            outcome)));
                }
                record(exchange, agent, served, "ok", outcome);
                return response.withHeader("x-a2a-trace-id", exchange.traceId().value());
            } catch (A2aError e) {
                record(exchange, agent, call.orElse(null), e.httpStatus() == 200 ? "agent_error" : e.reason(),
                        outcome);
                return error(e, call, http, exchange);
            }
        };
    }

    /**
     * Marks the exchange as one hop of an agent run: the run stage counts it against the run's {@code max_agent_hops}
     * (and its budget), and the audit record names the agent.
     */
    static Exchange markAgentHop(Exchange exchange, String agentId) {
        exchange.get(Trail.KEY).ifPresent(trail -> trail.note(Facts.TARGET, new Facts.Target("a2a", agentId)));
        return exchange.with(RunCall.KEY, RunCall.agentHop());
    }

    /** A run refusal as the A2A error a client reads: -31429 with the run's code in its data. */
    static A2aError runRefused(RunRefused e) {
        return A2aError.of(A2aError.LIMITED, e.getMessage()).withStatus(e.status())
                .withData(Wire.NODES.objectNode().put("status", e.status()).put("code", e.code().orElseThrow()))
                .because(e.code().orElseThrow());
    }

    /**
     * Ends a relayed stream whose run was stopped (or refused) mid-way with an A2A error event in the caller's
     * binding, as a break of the agent's own stream ends.
     */
    private static final class RunStopEvent implements ChunkStream {
        private final ChunkStream inner;
        private final Call call;
        private final Outcome outcome;
        private Chunk last;
        private boolean done;

        RunStopEvent(ChunkStream inner, Call call, Outcome outcome) {
            this.inner = inner;
            this.call = call;
            this.outcome = outcome;
        }

        @Override
        public boolean hasNext() {
            if (last != null) {
                return true;
            }
            if (done) {
                return false;
            }
            try {
                return inner.hasNext();
            } catch (RunRefused e) {
                done = true;
                A2aError error = runRefused(e);
                outcome.status = error.reason();
                last = Chunk.data(Body.of(call.binding() == Binding.REST ? error.restAnswer()
                        : error.rpcAnswer(call.rpcId())));
                return true;
            }
        }

        @Override
        public Chunk next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (last != null) {
                Chunk chunk = last;
                last = null;
                return chunk;
            }
            return inner.next();
        }

        @Override
        public void close() {
            done = true;
            inner.close();
        }
    }

    /** The stage that calls the agent (at the {@code BEFORE_ROUTE} slot). */
    Stage calls() {
        return (exchange, chain) -> {
            Optional<Plan> plan = exchange.get(PLAN);
            if (!exchange.operation().equals(TASK) || plan.isEmpty()) {
                return chain.proceed(exchange);
            }
            Plan p = plan.get();
            if (p.call().method().streams()) {
                return stream(exchange, p);
            }
            JsonNode v1 = send(exchange, p);
            if (p.priceMicros() > 0) {
                // the agent took the task: it costs its price, whatever the task's outcome
                exchange.get(CostMeter.KEY).ifPresent(meter -> meter.recordModuleCost(Cost.priced(p.priceMicros())));
            }
            Wire.state(v1).ifPresent(state -> p.outcome().state = state);
            Body body = Body.of(answer(p.call(), v1));
            p.outcome().bytesOut = body.length();
            Response.Complete complete = Response.Complete.json(body);
            return p.call().binding() == Binding.REST ? complete.withHeader("content-type", "application/a2a+json")
                    : complete;
        };
    }

    // --- reading the caller

    private static Call read(Exchange exchange, HttpCall http) {
        Optional<Wire.Version> header = http.version().map(v -> Wire.Version.requested(v).orElseThrow(() ->
                A2aError.of(A2aError.VERSION_NOT_SUPPORTED, "A2A-Version " + shown(v) + " is not supported; the "
                        + "gateway speaks 1.0 and 0.3").withStatus(400)));
        if (http.rest().isPresent()) {
            return readRest(exchange, http, header.orElse(Wire.Version.V1_0));
        }
        JsonNode body;
        try {
            body = exchange.body().isEmpty() ? null : exchange.body().json();
        } catch (RuntimeException e) {
            throw A2aError.of(A2aError.PARSE_ERROR, "the body is not JSON");
        }
        if (body == null) {
            throw A2aError.of(A2aError.INVALID_REQUEST, "the body is empty: send a JSON-RPC request");
        }
        if (body.isArray()) {
            throw A2aError.of(A2aError.INVALID_REQUEST, "JSON-RPC batches are not supported; send one request");
        }
        if (!body.isObject()) {
            throw A2aError.of(A2aError.INVALID_REQUEST, "the body must be a JSON-RPC request object");
        }
        if (!body.has("jsonrpc") && body.path("message").isObject()) {
            return readSimple((ObjectNode) body);
        }
        JsonNode id = body.has("id") ? body.get("id") : NullNode.getInstance();
        if (!(id.isTextual() || id.isNumber() || id.isNull())) {
            throw A2aError.of(A2aError.INVALID_REQUEST, "'id' must be a string or a number");
        }
        if (!"2.0".equals(body.path("jsonrpc").asText())) {
            throw A2aError.of(A2aError.INVALID_REQUEST, "not a JSON-RPC 2.0 request: 'jsonrpc' must be \"2.0\"");
        }
        String name = body.path("method").asText("");
        Map.Entry<Wire.Method, Wire.Version> method = Wire.Method.of(name).orElseThrow(() -> A2aError.of(
                A2aError.METHOD_NOT_FOUND, "Method not found: " + shown(name)).withStatus(200));
        Wire.Version version = header.orElse(method.getValue());
        JsonNode params = body.path("params");
        if (!params.isMissingNode() && !params.isNull() && !params.isObject()) {
            throw A2aError.of(A2aError.INVALID_PARAMS, "'params' must be an object").withStatus(200);
        }
        ObjectNode given = params.isObject() ? (ObjectNode) params : Wire.NODES.objectNode();
        ObjectNode v1 = Wire.paramsToV1(method.getKey(), given, version);
        validate(method.getKey(), v1);
        return new Call(Binding.JSONRPC, method.getKey(), version, v1, id, Optional.empty());
    }

    private static Call readRest(Exchange exchange, HttpCall http, Wire.Version version) {
        RestOp op = http.rest().orElseThrow();
        ObjectNode params;
        if (op == RestOp.SEND || op == RestOp.STREAM || op == RestOp.CANCEL) {
            JsonNode body;
            try {
                body = exchange.body().isEmpty() ? Wire.NODES.objectNode() : exchange.body().json();
            } catch (RuntimeException e) {
                throw A2aError.of(A2aError.PARSE_ERROR, "the body is not JSON");
            }
            if (!body.isObject()) {
                throw A2aError.of(A2aError.INVALID_REQUEST, "the body must be a JSON object");
            }
            params = Wire.paramsToV1(op.method, (ObjectNode) body, version);
        } else {
            params = Wire.NODES.objectNode();
            http.query().forEach((name, value) -> {
                if (name.equals("historyLength") || name.equals("pageSize")) {
                    try {
                        params.put(name, Integer.parseInt(value));
                    } catch (NumberFormatException e) {
                        throw A2aError.of(A2aError.INVALID_PARAMS, "'" + name + "' must be a number");
                    }
                } else if (!name.equalsIgnoreCase("A2A-Version")) {
                    params.put(name, value);
                }
            });
        }
        http.taskId().ifPresent(id -> params.put("id", id));
        validate(op.method, params);
        return new Call(Binding.REST, op.method, version, params, NullNode.getInstance(), Optional.empty());
    }

    /** The API reference's body, {@code {"id", "message": {"role", "parts": [{"type": "text", "text"}]}}}. */
    private static Call readSimple(ObjectNode body) {
        ObjectNode given = (ObjectNode) body.get("message");
        ObjectNode message = Wire.messageToV1(given);
        message.put("role", "ROLE_USER");
        if (!message.hasNonNull("messageId")) {
            message.put("messageId", body.path("id").isTextual() ? body.path("id").asText()
                    : UUID.randomUUID().toString());
        }
        ObjectNode params = Wire.NODES.objectNode();
        params.set("message", message);
        params.putObject("configuration").put("blocking", true);
        validate(Wire.Method.SEND, params);
        return new Call(Binding.SIMPLE, Wire.Method.SEND, Wire.Version.V1_0, params, NullNode.getInstance(),
                Optional.ofNullable(body.get("id")));
    }

    private static void validate(Wire.Method method, ObjectNode params) {
        switch (method) {
            case SEND, STREAM -> {
                JsonNode parts = params.path("message").path("parts");
                if (!params.path("message").isObject()) {
                    throw A2aError.of(A2aError.INVALID_PARAMS, "'message' is required: the message to send")
                            .withStatus(200);
                }
                if (!parts.isArray() || parts.isEmpty()) {
                    throw A2aError.of(A2aError.INVALID_PARAMS, "'message.parts' must hold at least one part")
                            .withStatus(200);
                }
            }
            case GET, CANCEL, SUBSCRIBE -> {
                if (!params.path("id").isTextual() || params.path("id").asText().isBlank()) {
                    throw A2aError.of(A2aError.INVALID_PARAMS, "'id' is required: the task's id").withStatus(200);
                }
            }
            default -> { }
        }
    }

    /** The caller's binding where the agent offers it, else JSON-RPC, else REST; 1.0 before 0.3 within each. */
    private static Cards.Interface choose(List<Cards.Interface> interfaces, Binding binding) {
        String wanted = binding == Binding.REST ? Cards.BINDING_REST : Cards.BINDING_JSONRPC;
        for (String b : new String[] {wanted, Cards.BINDING_JSONRPC, Cards.BINDING_REST}) {
            for (Wire.Version v : Wire.Version.values()) {
                for (Cards.Interface iface : interfaces) {
                    if (iface.binding().equals(b) && iface.version() == v) {
                        return iface;
                    }
                }
            }
        }
        throw A2aError.of(A2aError.UPSTREAM_FAILED, "the agent offers no JSON-RPC or HTTP+JSON interface");
    }

    // --- speaking to the agent

    /** One request, one answer: the result in the 1.0 shape, or the agent's error thrown. */
    private JsonNode send(Exchange exchange, Plan plan) {
        Upstream.Reply reply = upstream.exchange(request(exchange, plan, false), Optional.of(exchange));
        Cards.Interface target = plan.target();
        Wire.Method method = plan.call().method();
        if (target.binding().equals(Cards.BINDING_JSONRPC)) {
            JsonNode answer = reply.json().orElse(null);
            if (answer != null && answer.path("error").isObject()) {
                throw A2aError.fromAgent(answer.path("error"));
            }
            if (reply.status() / 100 != 2) {
                throw A2aError.of(A2aError.UPSTREAM_FAILED, "the agent answered HTTP " + reply.status());
            }
            if (answer == null || !answer.has("result")) {
                throw A2aError.of(A2aError.INVALID_AGENT_RESPONSE, "the agent answered without a JSON-RPC result")
                        .withStatus(502);
            }
            return Wire.resultToV1(method, answer.get("result"), target.version());
        }
        if (reply.status() / 100 != 2) {
            throw restFailure(reply);
        }
        JsonNode answer = reply.json().orElseThrow(() -> A2aError.of(A2aError.INVALID_AGENT_RESPONSE,
                "the agent answered an empty body").withStatus(502));
        return Wire.resultToV1(method, answer, target.version());
    }

    private static A2aError restFailure(Upstream.Reply reply) {
        JsonNode error = reply.json().map(j -> j.path("error")).orElse(Wire.NODES.missingNode());
        String reason = "";
        for (JsonNode detail : error.path("details")) {
            reason = detail.path("reason").asText(reason);
        }
        String message = error.path("message").asText("the agent answered HTTP " + reply.status());
        int code = switch (reason) {
            case "TASK_NOT_FOUND" -> A2aError.TASK_NOT_FOUND;
            case "TASK_NOT_CANCELABLE" -> A2aError.TASK_NOT_CANCELABLE;
            case "PUSH_NOTIFICATION_NOT_SUPPORTED" -> A2aError.PUSH_NOT_SUPPORTED;
            case "UNSUPPORTED_OPERATION" -> A2aError.UNSUPPORTED_OPERATION;
            case "CONTENT_TYPE_NOT_SUPPORTED" -> A2aError.CONTENT_TYPE_NOT_SUPPORTED;
            case "VERSION_NOT_SUPPORTED" -> A2aError.VERSION_NOT_SUPPORTED;
            default -> reply.status() == 404 ? A2aError.TASK_NOT_FOUND : reply.status() == 400
                    ? A2aError.INVALID_PARAMS : -1;
        };
        if (code == -1) {
            return A2aError.of(A2aError.UPSTREAM_FAILED, "the agent answered HTTP " + reply.status());
        }
        return A2aError.fromAgent(Wire.NODES.objectNode().put("code", code).put("message", message));
    }

    private static Request request(Exchange exchange, Plan plan, boolean stream) {
        Cards.Interface target = plan.target();
        Call call = plan.call();
        Wire.Method method = call.method();
        ObjectNode params = Wire.paramsFromV1(method, call.params(), target.version());
        Request.Builder request;
        if (target.binding().equals(Cards.BINDING_JSONRPC)) {
            ObjectNode rpc = Wire.NODES.objectNode().put("jsonrpc", "2.0");
            rpc.set("id", call.rpcId().isNull() ? Wire.NODES.textNode(exchange.id().value()) : call.rpcId());
            rpc.put("method", method.name(target.version()));
            rpc.set("params", params);
            request = Upstream.request(plan.entry(), target.url(), target.version(), Optional.of(exchange))
                    .post(Upstream.json(rpc, Upstream.JSON));
        } else {
            String base = target.url() + (target.version() == Wire.Version.V0_3 ? "/v1" : "");
            String task = params.path("id").asText("");
            String taskPath = base + "/tasks/" + URLEncoder.encode(task, StandardCharsets.UTF_8);
            request = switch (method) {
                case SEND -> Upstream.request(plan.entry(), base + "/message:send", target.version(),
                        Optional.of(exchange)).post(Upstream.json(params, Upstream.A2A_JSON));
                case STREAM -> Upstream.request(plan.entry(), base + "/message:stream", target.version(),
                        Optional.of(exchange)).post(Upstream.json(params, Upstream.A2A_JSON));
                case CANCEL -> {
                    ObjectNode body = params.deepCopy();
                    body.remove("id");
                    yield Upstream.request(plan.entry(), taskPath + ":cancel", target.version(),
                            Optional.of(exchange)).post(Upstream.json(body, Upstream.A2A_JSON));
                }
                case SUBSCRIBE -> Upstream.request(plan.entry(), taskPath + ":subscribe", target.version(),
                        Optional.of(exchange)).get();
                case GET -> Upstream.request(plan.entry(), taskPath + query(params, "id"), target.version(),
                        Optional.of(exchange)).get();
                case LIST -> Upstream.request(plan.entry(), base + "/tasks" + query(params, ""), target.version(),
                        Optional.of(exchange)).get();
                default -> throw A2aError.of(A2aError.UNSUPPORTED_OPERATION, "not served over REST");
            };
        }
        request.header("Accept", stream ? "text/event-stream" : "application/json");
        return request.build();
    }

    private static String query(ObjectNode params, String skip) {
        StringBuilder query = new StringBuilder();
        params.fields().forEachRemaining(field -> {
            if (!field.getKey().equals(skip) && field.getValue().isValueNode()) {
                query.append(query.isEmpty() ? '?' : '&').append(URLEncoder.encode(field.getKey(),
                        StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(field.getValue().asText(),
                        StandardCharsets.UTF_8));
            }
        });
        return query.toString();
    }

    private Response stream(Exchange exchange, Plan plan) {
        Upstream.Open open = upstream.open(request(exchange, plan, true), exchange);
        boolean handedOver = false;
        try {
            okhttp3.Response response = open.response();
            String type = response.header("content-type", "");
            if (!response.isSuccessful() || !type.startsWith("text/event-stream")) {
                // an error (or a whole answer) instead of a stream: read it as a one-shot reply
                byte[] bytes = response.body().bytes();
                JsonNode json;
                try {
                    json = bytes.length == 0 ? null : Body.MAPPER.readTree(bytes);
                } catch (IOException e) {
                    json = null;
                }
                if (json != null && json.path("error").isObject() && plan.target().binding()
                        .equals(Cards.BINDING_JSONRPC)) {
                    throw A2aError.fromAgent(json.path("error"));
                }
                if (!response.isSuccessful()) {
                    throw plan.target().binding().equals(Cards.BINDING_REST)
                            ? restFailure(new Upstream.Reply(response.code(), Optional.ofNullable(json)))
                            : A2aError.of(A2aError.UPSTREAM_FAILED, "the agent answered HTTP " + response.code());
                }
                throw A2aError.of(A2aError.INVALID_AGENT_RESPONSE, "the agent did not answer with an event stream")
                        .withStatus(502);
            }
            if (plan.priceMicros() > 0) {
                exchange.get(CostMeter.KEY).ifPresent(meter -> meter.recordModuleCost(
                        Cost.priced(plan.priceMicros())));
            }
            handedOver = true;
            return new Response.Streamed(200, Headers.EMPTY, new Relay(open, plan));
        } catch (IOException e) {
            throw Upstream.failure(open.deadline(), e);
        } finally {
            if (!handedOver) {
                open.close();
            }
        }
    }

    /**
     * The agent's events as the caller's, one at a time, as they come. A break in the agent's stream (or its silence
     * past the timeout) becomes a last error event, since the status line has long gone out.
     */
    private final class Relay implements ChunkStream {
        private final Upstream.Open open;
        private final Plan plan;
        private final SseDecoder decoder;
        private Chunk next;
        private boolean done;

        Relay(Upstream.Open open, Plan plan) {
            this.open = open;
            this.plan = plan;
            this.decoder = new SseDecoder(open.response().body().source());
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (done) {
                return false;
            }
            try {
                SseDecoder.Event event = decoder.next();
                if (event == null) {
                    done = true;
                    return false;
                }
                open.deadline().expireAfter(upstream.timeout());
                next = translate(event.data());
            } catch (IOException e) {
                done = true;
                A2aError error = open.deadline().expired()
                        ? A2aError.of(A2aError.UPSTREAM_TIMEOUT, "the agent's stream went silent")
                        : A2aError.of(A2aError.UPSTREAM_FAILED, "the agent's stream broke off");
                plan.outcome().status = error.reason();
                next = Chunk.data(Body.of(errorEvent(error)));
            } catch (A2aError error) {
                done = true;
                plan.outcome().status = error.httpStatus() == 200 ? "agent_error" : error.reason();
                next = Chunk.data(Body.of(errorEvent(error)));
            }
            return true;
        }

        private Chunk translate(byte[] data) {
            JsonNode event;
            try {
                event = Body.MAPPER.readTree(data);
            } catch (IOException e) {
                throw A2aError.of(A2aError.INVALID_AGENT_RESPONSE, "the agent sent an event that is not JSON");
            }
            if (event == null || !event.isObject()) {
                throw A2aError.of(A2aError.INVALID_AGENT_RESPONSE, "the agent sent an event that is not an object");
            }
            JsonNode result = event;
            if (plan.target().binding().equals(Cards.BINDING_JSONRPC)) {
                if (event.path("error").isObject()) {
                    throw A2aError.fromAgent(event.path("error"));
                }
                result = event.path("result");
                if (!result.isObject()) {
                    throw A2aError.of(A2aError.INVALID_AGENT_RESPONSE, "the agent sent an event without a result");
                }
            } else if (event.path("error").isObject()) {
                throw A2aError.of(A2aError.UPSTREAM_FAILED, event.path("error").path("message")
                        .asText("the agent's stream failed"));
            }
            JsonNode v1 = Wire.resultToV1(plan.call().method(), result, plan.target().version());
            Wire.state(v1).ifPresent(state -> plan.outcome().state = state);
            Body body = Body.of(plan.call().binding() == Binding.REST
                    ? Wire.resultFromV1(plan.call().method(), v1, plan.call().version())
                    : rpcResult(plan.call(), Wire.resultFromV1(plan.call().method(), v1, plan.call().version())));
            plan.outcome().bytesOut += body.length();
            return Chunk.data(body);
        }

        private JsonNode errorEvent(A2aError error) {
            return plan.call().binding() == Binding.REST ? error.restAnswer() : error.rpcAnswer(plan.call().rpcId());
        }

        @Override
        public Chunk next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Chunk chunk = next;
            next = null;
            return chunk;
        }

        @Override
        public void close() {
            done = true;
            open.close();
        }
    }

    // --- answering

    private static JsonNode answer(Call call, JsonNode v1) {
        return switch (call.binding()) {
            case REST -> Wire.resultFromV1(call.method(), v1, call.version());
            case JSONRPC -> rpcResult(call, Wire.resultFromV1(call.method(), v1, call.version()));
            case SIMPLE -> simpleAnswer(call, v1);
        };
    }

    private static ObjectNode rpcResult(Call call, JsonNode result) {
        ObjectNode answer = Wire.NODES.objectNode().put("jsonrpc", "2.0");
        answer.set("id", call.rpcId());
        answer.set("result", result);
        return answer;
    }

    /**
     * The API reference's answer: {@code {"id", "result": {"task_id", "context_id", "state", "parts": [{"type":
     * "text", "text"}]}}}, the parts being the agent's reply message, else the task's artifacts, else its status
     * message.
     */
    private static ObjectNode simpleAnswer(Call call, JsonNode v1) {
        ObjectNode answer = Wire.NODES.objectNode();
        answer.set("id", call.simpleId().orElse(NullNode.getInstance()));
        ObjectNode result = answer.putObject("result");
        ArrayNode parts = result.putArray("parts");
        JsonNode task = v1.path("task");
        if (v1.path("message").isObject()) {
            v1.path("message").path("parts").forEach(part -> parts.add(simplePart(part)));
            result.put("state", "completed");
        } else if (task.isObject()) {
            if (task.hasNonNull("id")) {
                result.set("task_id", task.get("id"));
            }
            if (task.hasNonNull("contextId")) {
                result.set("context_id", task.get("contextId"));
            }
            result.put("state", Wire.stateToV03(task.path("status").path("state").asText("TASK_STATE_UNKNOWN")));
            task.path("artifacts").forEach(artifact -> artifact.path("parts").forEach(p -> parts.add(simplePart(p))));
            if (parts.isEmpty()) {
                task.path("status").path("message").path("parts").forEach(part -> parts.add(simplePart(part)));
            }
        }
        return answer;
    }

    private static ObjectNode simplePart(JsonNode part) {
        ObjectNode v03 = Wire.partToV03(part.isObject() ? (ObjectNode) part : Wire.NODES.objectNode());
        ObjectNode out = Wire.NODES.objectNode().put("type", v03.path("kind").asText("text"));
        v03.fields().forEachRemaining(field -> {
            if (!field.getKey().equals("kind")) {
                out.set(field.getKey(), field.getValue());
            }
        });
        return out;
    }

    private static Response error(A2aError e, Optional<Call> call, HttpCall http, Exchange exchange) {
        boolean rest = http.rest().isPresent();
        JsonNode body = rest ? e.restAnswer() : e.rpcAnswer(call.map(Call::rpcId).orElse(NullNode.getInstance()));
        int status = rest ? e.restStatus() : e.httpStatus();
        Headers headers = Headers.of("x-a2a-trace-id", exchange.traceId().value());
        if (rest) {
            headers = headers.with("content-type", "application/a2a+json");
        }
        return new Response.Complete(status, headers, Body.of(body));
    }

    private void record(Exchange exchange, String agent, Call call, String status, Outcome outcome) {
        String method = call == null ? "unknown" : call.method().v1;
        metrics.task(agent, method, status);
        LOG.log(System.Logger.Level.DEBUG, () -> exchange.id() + " a2a agent=" + agent + " method=" + method
                + " status=" + status + " state=" + outcome.state + " bytes_in=" + exchange.body().length()
                + " bytes_out=" + outcome.bytesOut + " trace=" + exchange.traceId().value());
    }

    private static String shown(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}
