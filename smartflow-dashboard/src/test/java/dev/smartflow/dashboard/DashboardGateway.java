package dev.smartflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.a2a.A2aModule;
import dev.smartflow.compliance.ComplianceModule;
import dev.smartflow.compliance.policy.PolicyDetectors;
import dev.smartflow.compliance.policy.PolicyModule;
import dev.smartflow.mcp.McpModule;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import dev.smartflow.server.SmartflowServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A real gateway on ephemeral ports, every service running, with the dashboard, compliance, policy, MCP and A2A
 * modules, OpenAI played by a {@link FakeModel}; and a plain HTTP client for the tests (no cookie jar: each test says
 * which cookie it sends).
 */
final class DashboardGateway implements AutoCloseable {
    static final String MASTER = "sk-test-master-0123456789abcdef";
    static final String M = "Bearer " + MASTER;
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    final FakeModel model;
    final SmartflowServer server;
    final OkHttpClient http = new OkHttpClient.Builder().followRedirects(false)
            .readTimeout(Duration.ofSeconds(30)).build();

    DashboardGateway(Path dataDir, InstantSource clock, String yaml) throws IOException {
        this(dataDir, clock, yaml, Map.of(), List.of());
    }

    /**
     * @param env   the server's environment (e.g. {@code SMARTFLOW_REDIS_URL} to share state with other instances)
     * @param extra modules installed beside the standard ones
     */
    DashboardGateway(Path dataDir, InstantSource clock, String yaml, Map<String, String> env,
                     List<ServerModule> extra) throws IOException {
        model = new FakeModel();
        try {
            Files.createDirectories(dataDir);
            Path file = Files.writeString(dataDir.resolve("smartflow.yaml"),
                    "compliance:\n  ml: false\npolicy:\n  generate:\n    model: gpt-4o-mini\n" + yaml);
            Map<Service, Integer> ports = new EnumMap<>(Service.class);
            for (Service service : Service.values()) {
                ports.put(service, 0);
            }
            ServerConfig config = ServerConfig.load(Optional.of(file), env).withPorts(ports)
                    .withServices(EnumSet.allOf(Service.class)).withDataDir(dataDir).withMasterKey(MASTER);
            ProviderRegistry registry = ProviderRegistry.builder().environment(Map.of("OPENAI_API_KEY",
                    "sk-upstream-secret", "OPENAI_API_BASE", model.base())).build();
            List<ServerModule> modules = new ArrayList<>(List.of(new DashboardModule(), new ComplianceModule(),
                    new PolicyModule(Optional.empty(), PolicyDetectors.builtIn()), new McpModule(), new A2aModule()));
            modules.addAll(extra);
            server = SmartflowServer.start(config, registry, modules, clock);
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
    }

    String url(Service service, String path) {
        return "http://127.0.0.1:" + server.port(service) + path;
    }

    String management(String path) {
        return url(Service.MANAGEMENT, path);
    }

    String proxy(String path) {
        return url(Service.PROXY, path);
    }

    /** {@code method} on {@code url} with a JSON body ({@code null} for none) and headers as name, value pairs. */
    Answer send(String method, String url, String json, String... headers) {
        RequestBody body = json == null ? (method.equals("GET") || method.equals("DELETE") ? null
                : RequestBody.create(new byte[0])) : RequestBody.create(json, JSON_TYPE);
        Request.Builder request = new Request.Builder().url(url).method(method, body);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try (Response response = http.newCall(request.build()).execute()) {
            return new Answer(response.code(), response.body().string(), response.headers().toMultimap());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Logs in on the management port; fails the test unless it succeeds. */
    Login login(String user, String password) {
        Answer answer = send("POST", management("/auth/login"), "{\"username\":\"" + user + "\",\"password\":\""
                + password + "\"}");
        assertEquals(200, answer.status(), answer.body());
        return new Login(answer.cookie(SessionGate.COOKIE).orElseThrow(), answer.json().path("csrf_token").asText());
    }

    /** Logs in as {@code admin} with the master key and sets {@code password}; the session afterwards. */
    Login firstAdmin(String password) {
        Login first = login("admin", MASTER);
        Answer set = send("POST", management("/auth/password"), "{\"new_password\":\"" + password + "\"}",
                "Cookie", first.cookie(), SessionGate.CSRF_HEADER, first.csrf());
        assertEquals(200, set.status(), set.body());
        return new Login(set.cookie(SessionGate.COOKIE).orElseThrow(), set.json().path("csrf_token").asText());
    }

    /** Creates a user with the master key. */
    void createUser(String name, String password, String role) {
        Answer answer = send("POST", management("/api/dashboard/users"), "{\"username\":\"" + name
                + "\",\"password\":\"" + password + "\",\"role\":\"" + role + "\"}", "Authorization", M);
        assertEquals(201, answer.status(), answer.body());
    }

    /** Creates a virtual key with the master key; its token. */
    String createKey(String name) {
        Answer answer = send("POST", management("/api/enterprise/vkeys"), "{\"name\":\"" + name
                + "\",\"owner_id\":\"team-a\"}", "Authorization", M);
        assertEquals(201, answer.status(), answer.body());
        return answer.json().path("token").asText();
    }

    record Login(String token, String csrf) {
        String cookie() {
            return SessionGate.COOKIE + "=" + token;
        }
    }

    record Answer(int status, String body, Map<String, List<String>> headers) {
        JsonNode json() {
            try {
                return FakeModel.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String errorCode() {
            return json().path("error").path("code").asText();
        }

        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        List<String> setCookies() {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("set-cookie"))
                    .flatMap(e -> e.getValue().stream()).toList();
        }

        /** The value a Set-Cookie of this answer gives {@code name}. */
        Optional<String> cookie(String name) {
            return setCookies().stream().filter(c -> c.startsWith(name + "=")).findFirst()
                    .map(c -> c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')));
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            model.close();
        }
    }
}
