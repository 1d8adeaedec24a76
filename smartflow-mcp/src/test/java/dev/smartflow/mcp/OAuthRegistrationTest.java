package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.store.sql.SqlDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code oauth_user} server registered without a client id: the gateway follows the server's 401 to its protected
 * resource metadata (RFC 9728), reads the authorization server's metadata (RFC 8414, issuer with a path), registers
 * itself once (RFC 7591), and runs the authorization code flow with PKCE and the {@code resource} parameter as that
 * client. The authorization server is a small JDK HTTP server written here; the MCP server a {@link TestMcpServer}.
 */
class OAuthRegistrationTest {
    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer upstream;
    HttpServer auth;
    final List<JsonNode> registrations = new CopyOnWriteArrayList<>();
    final List<Map<String, String>> tokenForms = new CopyOnWriteArrayList<>();
    final Map<String, String> challenges = new ConcurrentHashMap<>();
    volatile boolean offerRegistration = true;

    @BeforeEach
    void start() throws IOException {
        auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        auth.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        auth.createContext("/", this::serveAuth);
        auth.start();
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25).requireAuthorization("Bearer at-dyn-1")
                .resourceMetadata(authBase() + "/prm");
        gateway = new TestGateway(data);
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
        auth.stop(0);
    }

    private String authBase() {
        return "http://127.0.0.1:" + auth.getAddress().getPort();
    }

    private void serveAuth(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            String answer = switch (path) {
                case "/prm" -> "{\"resource\":\"" + upstream.url() + "\",\"authorization_servers\":[\"" + authBase()
                        + "/tenant1\"],\"bearer_methods_supported\":[\"header\"]}";
                case "/.well-known/oauth-authorization-server/tenant1" -> "{\"issuer\":\"" + authBase()
                        + "/tenant1\",\"authorization_endpoint\":\"" + authBase() + "/tenant1/authorize\","
                        + "\"token_endpoint\":\"" + authBase() + "/tenant1/token\","
                        + (offerRegistration ? "\"registration_endpoint\":\"" + authBase() + "/tenant1/register\","
                        : "") + "\"code_challenge_methods_supported\":[\"S256\"]}";
                case "/tenant1/register" -> {
                    JsonNode request = Http.JSON.readTree(body);
                    registrations.add(request);
                    yield "{\"client_id\":\"dyn-client-" + registrations.size() + "\",\"client_secret\":"
                            + "\"dyn-secret-shh\",\"redirect_uris\":" + request.path("redirect_uris") + "}";
                }
                case "/tenant1/token" -> {
                    Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
                    tokenForms.add(form);
                    String challenge = challenges.get(form.getOrDefault("code", ""));
                    boolean ok = form.get("grant_type").equals("authorization_code") && challenge != null
                            && challenge.equals(OAuthUsers.challenge(form.get("code_verifier")))
                            && "dyn-client-1".equals(form.get("client_id"))
                            && "dyn-secret-shh".equals(form.get("client_secret"));
                    yield ok ? "{\"access_token\":\"at-dyn-1\",\"refresh_token\":\"rt-dyn\",\"expires_in\":3600}"
                            : null;
                }
                default -> null;
            };
            if (answer == null) {
                exchange.sendResponseHeaders(path.endsWith("/token") ? 400 : 404, -1);
                return;
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(path.endsWith("/register") ? 201 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new ConcurrentHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    private void registerServer() {
        gateway.register("{\"id\":\"dyn\",\"base_url\":\"" + upstream.url() + "\",\"auth_type\":\"oauth_user\","
                + "\"auth\":{\"scopes\":[\"tools\"]}}");
    }

    private Http.Reply startAuthorization(TestGateway.Key key) {
        return Http.get(gateway.proxy("/api/mcp/oauth/dyn/authorize"), "Authorization", key.bearer());
    }

    @Test
    void theGatewayDiscoversRegistersOnceAndAuthorizesAsItsOwnClient() {
        registerServer();
        TestGateway.Key alice = gateway.createKey("{\"name\":\"alice\",\"owner_id\":\"a\","
                + "\"tags\":{\"mcp_servers\":\"dyn\"}}");
        TestGateway.Key bob = gateway.createKey("{\"name\":\"bob\",\"owner_id\":\"b\","
                + "\"tags\":{\"mcp_servers\":\"dyn\"}}");

        Http.Reply started = startAuthorization(alice);
        assertEquals(200, started.status(), started.body());
        HttpUrl url = HttpUrl.get(started.json().path("authorization_url").asText());
        assertEquals(authBase() + "/tenant1/authorize", url.newBuilder().query(null).build().toString());
        assertEquals("dyn-client-1", url.queryParameter("client_id"));
        assertEquals("S256", url.queryParameter("code_challenge_method"));
        assertEquals(upstream.url(), url.queryParameter("resource"));
        assertEquals("tools", url.queryParameter("scope"));
        challenges.put("code-a", url.queryParameter("code_challenge"));
        Http.Reply callback = Http.get(HttpUrl.get(url.queryParameter("redirect_uri")).newBuilder()
                .addQueryParameter("code", "code-a").addQueryParameter("state", url.queryParameter("state"))
                .build().toString());
        assertEquals(200, callback.status(), callback.body());
        Http.Reply second = startAuthorization(bob);

        RpcClient client = RpcClient.legacy(gateway.proxy("/dyn/mcp"), alice.bearer());
        client.initialize("2025-11-25");
        JsonNode seen = client.callTool("whoami", args()).path("structuredContent");

        assertEquals("Bearer at-dyn-1", seen.path("authorization").asText());
        assertEquals(200, second.status());
        assertEquals(1, registrations.size(), "registered once: " + registrations);
        JsonNode registration = registrations.getFirst();
        assertEquals(gateway.proxy("/api/mcp/oauth/callback"), registration.path("redirect_uris").get(0).asText());
        assertTrue(registration.path("grant_types").toString().contains("authorization_code"));
        assertEquals(upstream.url(), tokenForms.getLast().get("resource"));
        Http.Reply listed = Http.get(gateway.proxy("/api/mcp/servers/dyn"), "Authorization", TestGateway.M);
        assertFalse(listed.body().contains("dyn-secret-shh"), listed.body());
    }

    @Test
    void theRegisteredClientIsKeptSealedAndSurvivesARestart() {
        // a fixed public URL: the restarted gateway's ports differ, and a new callback URL would register anew
        String publicUrl = "  public_url: https://gateway.example.com\n";
        gateway.close();
        gateway = new TestGateway(data, Map.of(), publicUrl);
        registerServer();
        TestGateway.Key alice = gateway.createKey("{\"name\":\"alice\",\"owner_id\":\"a\","
                + "\"tags\":{\"mcp_servers\":\"dyn\"}}");
        assertEquals(200, startAuthorization(alice).status());
        gateway.close();

        try (SqlDatabase database = SqlDatabase.h2(data)) {
            McpStore.Token stored = database.mcp().token("dyn", OAuthClients.SUBJECT).orElseThrow();
            assertFalse(stored.sealed().contains("dyn-secret-shh"));
            assertFalse(stored.sealed().contains("dyn-client-1"));
        }
        gateway = new TestGateway(data, Map.of(), publicUrl);
        HttpUrl url = HttpUrl.get(startAuthorization(alice).json().path("authorization_url").asText());

        assertEquals("dyn-client-1", url.queryParameter("client_id"));
        assertEquals(1, registrations.size());
        assertEquals("https://gateway.example.com/api/mcp/oauth/callback", url.queryParameter("redirect_uri"));
    }

    @Test
    void anAuthorizationServerWithoutRegistrationIsA502ThatSaysWhatToDo() {
        offerRegistration = false;
        registerServer();
        TestGateway.Key alice = gateway.createKey("{\"name\":\"alice\",\"owner_id\":\"a\","
                + "\"tags\":{\"mcp_servers\":\"dyn\"}}");

        Http.Reply started = startAuthorization(alice);

        assertEquals(502, started.status(), started.body());
        assertTrue(started.body().contains("client_id"), started.body());
    }

    @Test
    void endpointsWithoutAClientIdAreRefused() {
        Http.Reply reply = Http.post(gateway.proxy("/api/mcp/servers"), "{\"id\":\"dyn\",\"base_url\":\""
                + upstream.url() + "\",\"auth_type\":\"oauth_user\",\"auth\":{\"token_url\":\"" + authBase()
                + "/t\"}}", "Authorization", TestGateway.M);

        assertEquals(400, reply.status(), reply.body());
        assertTrue(reply.body().contains("auth.token_url"), reply.body());
    }
}
