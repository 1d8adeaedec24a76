package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import okio.Okio;

/**
 * An MCP server the gateway makes of a REST API (see {@code POST /api/mcp/generate}): each operation of its OpenAPI
 * spec is a tool; a {@code tools/call} becomes one HTTP request (path parameters substituted and escaped, query and
 * header parameters added, the body argument sent as JSON) with the server's credentials, and its answer becomes the
 * tool's result: the body as text, parsed JSON as {@code structuredContent} when it is an object, {@code isError} for
 * a 4xx or 5xx. The server has tools only: no resources or prompts.
 *
 * <p>Thread-safe; holds no state of its own.
 */
final class OpenApiUpstream implements Upstream {
    private final ServerDefinition definition;
    private final ServerDefinition.OpenApi api;
    private final UpstreamAuth auth;
    private final HttpTransport http;
    private final long maxBytes;

    OpenApiUpstream(ServerDefinition definition, ServerDefinition.OpenApi api, UpstreamAuth auth, HttpTransport http,
                    long maxBytes) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.api = Objects.requireNonNull(api, "api");
        this.auth = Objects.requireNonNull(auth, "auth");
        this.http = Objects.requireNonNull(http, "http");
        this.maxBytes = maxBytes;
    }

    @Override
    public ObjectNode request(UpstreamCall call) {
        JsonNode id = JsonRpc.NODES.numberNode(1);
        return switch (call.method()) {
            case "tools/list" -> {
                ObjectNode result = JsonRpc.NODES.objectNode();
                ArrayNode tools = result.putArray("tools");
                api.operations().forEach(operation -> tools.add(operation.tool()));
                yield JsonRpc.result(id, result);
            }
            case "tools/call" -> JsonRpc.result(id, call(call));
            case "resources/list", "resources/templates/list", "prompts/list" -> {
                ObjectNode result = JsonRpc.NODES.objectNode();
                result.putArray(switch (call.method()) {
                    case "resources/list" -> "resources";
                    case "resources/templates/list" -> "resourceTemplates";
                    default -> "prompts";
                });
                yield JsonRpc.result(id, result);
            }
            default -> JsonRpc.error(id, RpcError.of(RpcError.METHOD_NOT_FOUND, "MCP server '" + definition.id()
                    + "' (made from an OpenAPI spec) has no method " + call.method()));
        };
    }

    private ObjectNode call(UpstreamCall call) {
        String name = call.params().path("name").asText();
        OpenApiOperation operation = api.operations().stream().filter(o -> o.name().equals(name)).findFirst()
                .orElseThrow(() -> RpcError.of(RpcError.INVALID_PARAMS, "Unknown tool: " + name));
        JsonNode arguments = call.params().path("arguments");
        HttpUrl base = HttpUrl.get(api.baseUrl().toString());
        StringBuilder path = new StringBuilder();
        String template = operation.path();
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf('{', at);
            if (open < 0) {
                path.append(template, at, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                path.append(template, at, template.length());
                break;
            }
            path.append(template, at, open);
            String parameter = template.substring(open + 1, close);
            JsonNode value = arguments.path(parameter);
            if (value.isMissingNode() || value.isNull()) {
                throw RpcError.of(RpcError.INVALID_PARAMS, "missing required argument '" + parameter + "'");
            }
            // one path segment: '/' and '?' in a value are escaped, so an argument cannot change the route
            path.append(HttpUrl.get("http://x/").newBuilder().addPathSegment(scalar(value)).build().encodedPath()
                    .substring(1));
            at = close + 1;
        }
        String basePath = base.encodedPath().endsWith("/") ? base.encodedPath()
                .substring(0, base.encodedPath().length() - 1) : base.encodedPath();
        HttpUrl.Builder url = base.newBuilder().encodedPath(basePath + path);
        Request.Builder request = new Request.Builder().header("Accept", "application/json");
        for (OpenApiOperation.Parameter parameter : operation.parameters()) {
            JsonNode value = arguments.path(parameter.name());
            if (value.isMissingNode() || value.isNull()) {
                if (parameter.required() && parameter.in() != OpenApiOperation.Location.PATH) {
                    throw RpcError.of(RpcError.INVALID_PARAMS, "missing required argument '" + parameter.name()
                            + "'");
                }
                continue;
            }
            switch (parameter.in()) {
                case QUERY -> {
                    if (value.isArray()) {
                        value.forEach(item -> url.addQueryParameter(parameter.name(), scalar(item)));
                    } else {
                        url.addQueryParameter(parameter.name(), scalar(value));
                    }
                }
                case HEADER -> {
                    String text = scalar(value);
                    if (!JsonFields.printable(text) || parameter.name().equalsIgnoreCase("authorization")) {
                        throw RpcError.of(RpcError.INVALID_PARAMS, "argument '" + parameter.name()
                                + "' cannot be sent as a header");
                    }
                    request.header(parameter.name(), text);
                }
                case PATH -> {
                }
            }
        }
        RequestBody body = null;
        if (operation.bodyArgument().isPresent()) {
            JsonNode value = arguments.path(operation.bodyArgument().get());
            if (!value.isMissingNode() && !value.isNull()) {
                body = RequestBody.create(value.toString(), MediaType.get(operation.bodyContentType()
                        .filter(t -> t.contains("json")).orElse("application/json")));
            }
        }
        if (body == null && (operation.method().equals("POST") || operation.method().equals("PUT")
                || operation.method().equals("PATCH"))) {
            body = RequestBody.create(new byte[0]);
        }
        request.url(url.build()).method(operation.method(), body);
        auth.apply(request, call);
        return execute(request.build(), call);
    }

    private ObjectNode execute(Request request, UpstreamCall call) {
        Call okCall = http.client().newCall(request);
        Optional<Cancellation.Registration> watch = call.cancellation().map(c -> c.onCancel(okCall::cancel));
        Deadline deadline = http.deadline(okCall, call.timeout());
        try (deadline; Response response = okCall.execute()) {
            BufferedSource source = Okio.buffer(new LimitedSource(response.body().source(), maxBytes));
            String text;
            try {
                text = new String(source.readByteArray(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                if (deadline.expired()) {
                    throw timeout(call);
                }
                throw RpcError.of(RpcError.UPSTREAM_FAILED, "the API behind MCP server '" + definition.id()
                        + "' broke off its answer").because("upstream_broken");
            }
            ObjectNode result = JsonRpc.NODES.objectNode();
            ArrayNode content = result.putArray("content");
            content.addObject().put("type", "text").put("text", text.isEmpty()
                    ? "HTTP " + response.code() : text);
            try {
                JsonNode json = text.isEmpty() ? null : Body.MAPPER.readTree(text);
                if (json instanceof ObjectNode object) {
                    result.set("structuredContent", object);
                }
            } catch (IOException e) {
                // not JSON: the text content says it all
            }
            if (response.code() >= 400) {
                result.put("isError", true);
            }
            return result;
        } catch (IOException e) {
            if (deadline.expired()) {
                throw timeout(call);
            }
            if (okCall.isCanceled() && call.cancellation().isPresent()) {
                throw RpcError.of(RpcError.UPSTREAM_FAILED, "the client went away").because("client_closed");
            }
            throw RpcError.of(RpcError.UPSTREAM_FAILED, "the API behind MCP server '" + definition.id()
                    + "' could not be reached").because("upstream_unreachable");
        } finally {
            watch.ifPresent(Cancellation.Registration::close);
        }
    }

    private RpcError timeout(UpstreamCall call) {
        return RpcError.of(RpcError.UPSTREAM_TIMEOUT, "the API behind MCP server '" + definition.id()
                + "' did not answer within " + call.timeout().toSeconds() + " s").because("upstream_timeout");
    }

    private static String scalar(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    @Override
    public ServerFacts facts(UpstreamCall call) {
        return ServerFacts.tools(definition.name());
    }

    @Override
    public void release(String owner) {
    }

    @Override
    public void close() {
    }
}
