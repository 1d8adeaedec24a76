package dev.smartflow.bench.jmh;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.smartflow.mcp.McpModule;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.Service;
import dev.smartflow.server.SmartflowServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the MCP gateway adds to a {@code tools/call}: the same call (one keep-alive HTTP/1.1 connection, one caller)
 * sent straight to a small Streamable HTTP MCP server ({@link #direct}), and through a real gateway to it
 * ({@link #throughGateway}): a virtual key with a budget and a per-call price, a client session in the shared state,
 * the pipeline's authentication, budget hold and settle, audit and call log, and the gateway's own upstream session.
 * Sample time, so JMH reports p50 and p99; the difference of the p50s is what the gateway adds. The same harness
 * also sends a chat completion straight to a canned upstream and through the gateway ({@link #chatDirect},
 * {@link #chatThroughGateway}), to tell what the MCP module adds from what any call through the gateway costs.
 *
 * <p>Client, gateway and upstream run in the one JMH fork, on the one core {@code bench/jmh.sh} pins it to, so they
 * take turns: the figure is an upper bound on what a gateway with a core of its own adds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 10)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx384m"})
public class McpGatewayBenchmark {
    private static final String MASTER = "sk-bench-master-0123456789";
    private static final Pattern ID = Pattern.compile("\"id\":(\\d+|\"[^\"]*\")");
    private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":5,\"messages\":"
            + "[{\"role\":\"user\",\"content\":\"hello\"}]}";
    private static final byte[] CHAT_ANSWER = ("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
            + "\"completion_tokens\":1,\"total_tokens\":6}}").getBytes(StandardCharsets.UTF_8);
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":"
            + "{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"}}}";

    private HttpServer upstream;
    private SmartflowServer gateway;
    private Path dataDir;
    private HttpClient client;
    private HttpRequest direct;
    private HttpRequest viaGateway;
    private HttpRequest directChat;
    private HttpRequest chatViaGateway;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/mcp", McpGatewayBenchmark::serve);
        upstream.createContext("/v1/chat/completions", McpGatewayBenchmark::chat);
        upstream.start();
        String upstreamUrl = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp";

        dataDir = Files.createTempDirectory("smartflow-mcp-bench");
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, 0);
        }
        ServerConfig config = ServerConfig.load(Optional.empty(), Map.of()).withPorts(ports)
                .withServices(EnumSet.of(Service.PROXY, Service.MANAGEMENT)).withDataDir(dataDir)
                .withMasterKey(MASTER);
        String upstreamBase = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
        gateway = SmartflowServer.start(config, ProviderRegistry.builder().environment(Map.of(
                "OPENAI_API_KEY", "sk-upstream", "OPENAI_API_BASE", upstreamBase)).build(), List.of(new McpModule()));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String proxy = "http://127.0.0.1:" + gateway.port(Service.PROXY);
        String management = "http://127.0.0.1:" + gateway.port(Service.MANAGEMENT);
        post(proxy + "/api/mcp/servers", "{\"id\":\"echo\",\"base_url\":\"" + upstreamUrl
                + "\",\"cost_info\":{\"per_call_usd\":0.000001}}", "Bearer " + MASTER, Optional.empty());
        String created = post(management + "/api/enterprise/vkeys", "{\"name\":\"bench\",\"owner_id\":\"bench\","
                + "\"budget_usd\":1000000,\"tags\":{\"mcp_servers\":\"echo\"}}", "Bearer " + MASTER,
                Optional.empty()).body();
        Matcher token = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(created);
        if (!token.find()) {
            throw new IllegalStateException("no key: " + created);
        }
        String bearer = "Bearer " + token.group(1);
        HttpResponse<String> init = post(proxy + "/echo/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                + "\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}", bearer, Optional.empty());
        String session = init.headers().firstValue("mcp-session-id").orElseThrow();
        direct = HttpRequest.newBuilder(URI.create(upstreamUrl)).POST(HttpRequest.BodyPublishers.ofString(CALL))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .build();
        viaGateway = HttpRequest.newBuilder(URI.create(proxy + "/echo/mcp"))
                .POST(HttpRequest.BodyPublishers.ofString(CALL)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("Authorization", bearer)
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25").build();
        directChat = HttpRequest.newBuilder(URI.create(upstreamBase + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).header("Content-Type", "application/json").build();
        chatViaGateway = HttpRequest.newBuilder(URI.create(proxy + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).header("Content-Type", "application/json")
                .header("Authorization", bearer).build();
        String answer = client.send(viaGateway, HttpResponse.BodyHandlers.ofString()).body();
        if (!answer.contains("\"result\"")) {
            throw new IllegalStateException("the gateway did not answer the call: " + answer);
        }
    }

    private HttpResponse<String> post(String url, String body, String authorization, Optional<String> session)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("Authorization", authorization);
        session.ifPresent(id -> request.header("Mcp-Session-Id", id));
        return client == null ? HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString())
                : client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A stateless MCP server of the 2025-11-25 revision with one tool, {@code echo}. */
    private static void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher id = ID.matcher(body);
            if (!id.find()) {
                exchange.sendResponseHeaders(202, -1);
                return;
            }
            String result;
            if (body.contains("\"initialize\"")) {
                result = "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},\"serverInfo\":"
                        + "{\"name\":\"echo\",\"version\":\"1\"}}";
            } else if (body.contains("\"tools/list\"")) {
                result = "{\"tools\":[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\",\"properties\":"
                        + "{\"text\":{\"type\":\"string\"}}}}]}";
            } else if (body.contains("\"tools/call\"")) {
                result = "{\"content\":[{\"type\":\"text\",\"text\":\"hello\"}],\"structuredContent\":"
                        + "{\"echo\":\"hello\"}}";
            } else {
                result = "{}";
            }
            byte[] answer = ("{\"jsonrpc\":\"2.0\",\"id\":" + id.group(1) + ",\"result\":" + result + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    /** A chat completion, answered at once: the LLM path of the same harness, for comparison. */
    private static void chat(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, CHAT_ANSWER.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(CHAT_ANSWER);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        gateway.close();
        upstream.stop(0);
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    public String direct() throws Exception {
        return client.send(direct, HttpResponse.BodyHandlers.ofString()).body();
    }

    @Benchmark
    public String throughGateway() throws Exception {
        return client.send(viaGateway, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The same harness on the LLM path: what any call through the gateway costs, for comparison. */
    @Benchmark
    public String chatDirect() throws Exception {
        return client.send(directChat, HttpResponse.BodyHandlers.ofString()).body();
    }

    @Benchmark
    public String chatThroughGateway() throws Exception {
        return client.send(chatViaGateway, HttpResponse.BodyHandlers.ofString()).body();
    }
}
