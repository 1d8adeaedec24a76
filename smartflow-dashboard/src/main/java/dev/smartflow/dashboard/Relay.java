package dev.smartflow.dashboard;

import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.server.Service;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Lets the dashboard's pages, served by the management port, call the admin APIs of the other services (the MCP and
 * A2A registries on the proxy port, the policy library, the compliance service's views) from their own origin:
 * {@code /dashboard/relay/{service}/api/...} is passed, as it came, to {@code /api/...} of that service on this
 * instance. It adds no credentials: the session cookie and CSRF header it carries are checked by the service itself,
 * as for any caller, and {@code Authorization} is not passed, so the relay gives nobody more than they have.
 */
final class Relay {
    private static final Pattern PATH = Pattern.compile("api/[A-Za-z0-9._~:@!$&'()*+,;=/%-]{1,1024}");
    private static final List<String> PASSED = List.of("Cookie", "Content-Type", SessionGate.CSRF_HEADER, "Accept");
    private static final Map<String, Service> SERVICES = Map.of("proxy", Service.PROXY, "compliance",
            Service.COMPLIANCE, "policy", Service.POLICY, "bridge", Service.BRIDGE);

    private final Supplier<Map<Service, Integer>> ports;
    private final String host;
    private final long maxBody;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    Relay(Supplier<Map<Service, Integer>> ports, String host, long maxBody) {
        this.ports = ports;
        this.host = host.equals("0.0.0.0") || host.equals("::") || host.isBlank() ? "127.0.0.1" : host;
        this.maxBody = maxBody;
    }

    void register(JavalinConfig app) {
        String path = "/dashboard/relay/{service}/<path>";
        app.routes.get(path, this::relay);
        app.routes.post(path, this::relay);
        app.routes.put(path, this::relay);
        app.routes.patch(path, this::relay);
        app.routes.delete(path, this::relay);
    }

    private void relay(Context ctx) throws IOException, InterruptedException {
        Service service = Optional.ofNullable(SERVICES.get(ctx.pathParam("service")))
                .orElseThrow(() -> new NotFound("no such service to relay to", "not_found"));
        String path = ctx.pathParam("path");
        if (!PATH.matcher(path).matches() || path.contains("..")) {
            throw new NotFound("only a service's /api/ routes are relayed", "not_found");
        }
        Integer port = ports.get().get(service);
        if (port == null) {
            throw GatewayError.of(503, "server_error", "service_not_running", "the " + service.id()
                    + " service does not run on this instance");
        }
        String query = ctx.queryString();
        URI target = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + path
                + (query == null || query.isEmpty() ? "" : "?" + query));
        byte[] body = ctx.req().getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
        if (body.length > maxBody) {
            throw GatewayError.of(413, "invalid_request_error", "request_too_large", "the body is too large");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(2))
                .method(ctx.method().name(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : PASSED) {
            String value = ctx.header(name);
            if (value != null) {
                request.header(name, value);
            }
        }
        HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        ctx.status(answer.statusCode());
        answer.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
        answer.headers().firstValue("Retry-After").ifPresent(v -> ctx.header("Retry-After", v));
        ctx.header("Cache-Control", "no-store");
        ctx.result(answer.body());
    }
}
