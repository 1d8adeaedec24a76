package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.store.sql.SqlDatabase;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-user OAuth (authorization code with PKCE) for an upstream that acts for each user: each key authorizes once,
 * its calls carry its own token, the token is refreshed when due and kept only sealed. The authorization server is a
 * MockWebServer that checks the PKCE verifier against the challenge it was shown.
 */
class OAuthUserTest {
    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer upstream;
    MockWebServer authServer;
    final List<Map<String, String>> tokenForms = new CopyOnWriteArrayList<>();
    final Map<String, String> challenges = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        authServer = new MockWebServer();
        authServer.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Map<String, String> form = form(request.getBody().utf8());
                tokenForms.add(form);
                String answer = switch (form.get("grant_type")) {
                    case "authorization_code" -> {
                        String challenge = challenges.get(form.get("code"));
                        if (challenge == null || !challenge.equals(OAuthUsers.challenge(form.get("code_verifier")))) {
                            yield null;
                        }
                        yield "{\"access_token\":\"user-at-" + form.get("code") + "\",\"refresh_token\":\"rt-"
                                + form.get("code") + "\",\"expires_in\":" + (form.get("code").equals("short")
                                ? 20 : 3600) + "}";
                    }
                    case "refresh_token" -> "{\"access_token\":\"user-at-refreshed\",\"refresh_token\":\"rt-2\","
                            + "\"expires_in\":3600}";
                    default -> null;
                };
                return answer == null
                        ? new MockResponse.Builder().code(400).body("{\"error\":\"invalid_grant\"}").build()
                        : new MockResponse.Builder().addHeader("Content-Type", "application/json").body(answer)
                        .build();
            }
        });
        authServer.start();
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"users\",\"base_url\":\"" + upstream.url() + "\",\"auth_type\":\"oauth_user\","
                + "\"auth\":{\"authorization_url\":\"" + authServer.url("/authorize") + "\",\"token_url\":\""
                + authServer.url("/token") + "\",\"client_id\":\"smartflow-gw\",\"scopes\":[\"mcp\"]}}");
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        upstream.close();
        authServer.close();
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

    /** Authorizes {@code key} as a browser would, the authorization server answering with {@code code}. */
    private HttpUrl authorize(TestGateway.Key key, String code) {
        Http.Reply started = Http.get(gateway.proxy("/api/mcp/oauth/users/authorize"), "Authorization",
                key.bearer());
        assertEquals(200, started.status(), started.body());
        HttpUrl url = HttpUrl.get(started.json().path("authorization_url").asText());
        challenges.put(code, url.queryParameter("code_challenge"));
        HttpUrl callback = HttpUrl.get(url.queryParameter("redirect_uri")).newBuilder()
                .addQueryParameter("code", code).addQueryParameter("state", url.queryParameter("state")).build();
        Http.Reply returned = Http.get(callback.toString());
        assertEquals(200, returned.status(), returned.body());
        return callback;
    }

    private static RpcClient client(TestGateway gateway, TestGateway.Key key) {
        RpcClient client = RpcClient.legacy(gateway.proxy("/users/mcp"), key.bearer());
        client.initialize("2025-11-25");
        return client;
    }

    @Test
    void aKeyAuthorizesOnceAndItsCallsCarryItsOwnToken() {
        TestGateway.Key alice = gateway.createKey("{\"name\":\"alice\",\"owner_id\":\"a\","
                + "\"tags\":{\"mcp_servers\":\"users\"}}");
        RpcClient client = client(gateway, alice);
        assertEquals(-31403, client.error("tools/call", AccessControlTest.call("whoami", args())).path("code")
                .asInt());

        Http.Reply started = Http.get(gateway.proxy("/api/mcp/oauth/users/authorize"), "Authorization",
                alice.bearer());
        HttpUrl url = HttpUrl.get(started.json().path("authorization_url").asText());
        assertEquals("code", url.queryParameter("response_type"));
        assertEquals("smartflow-gw", url.queryParameter("client_id"));
        assertEquals("S256", url.queryParameter("code_challenge_method"));
        assertEquals("mcp", url.queryParameter("scope"));
        assertEquals(gateway.proxy("/api/mcp/oauth/callback"), url.queryParameter("redirect_uri"));
        HttpUrl callback = authorize(alice, "alice");

        JsonNode seen = client.callTool("whoami", args()).path("structuredContent");

        assertEquals("Bearer user-at-alice", seen.path("authorization").asText());
        assertEquals("smartflow-gw", tokenForms.getLast().get("client_id"));
        assertEquals(400, Http.get(callback.toString()).status());
        assertTrue(client.toolNames().contains("whoami"));
    }

    @Test
    void aTokenDueIsRefreshedAndTheRefreshIsKept() {
        TestGateway.Key bob = gateway.createKey("{\"name\":\"bob\",\"owner_id\":\"b\","
                + "\"tags\":{\"mcp_servers\":\"users\"}}");
        authorize(bob, "short");

        JsonNode seen = client(gateway, bob).callTool("whoami", args()).path("structuredContent");

        assertEquals("Bearer user-at-refreshed", seen.path("authorization").asText());
        Map<String, String> refresh = tokenForms.getLast();
        assertEquals("refresh_token", refresh.get("grant_type"));
        assertEquals("rt-short", refresh.get("refresh_token"));
    }

    @Test
    void aForgottenTokenMustBeAuthorizedAgain() {
        TestGateway.Key carol = gateway.createKey("{\"name\":\"carol\",\"owner_id\":\"c\","
                + "\"tags\":{\"mcp_servers\":\"users\"}}");
        authorize(carol, "carol");
        RpcClient client = client(gateway, carol);
        client.callTool("whoami", args());

        Http.Reply forgotten = Http.delete(gateway.proxy("/api/mcp/oauth/users/token"), "Authorization",
                carol.bearer());

        assertTrue(forgotten.json().path("deleted").asBoolean());
        assertEquals(-31403, client.error("tools/call", AccessControlTest.call("whoami", args())).path("code")
                .asInt());
    }

    @Test
    void tokensAreKeptOnlySealed() {
        TestGateway.Key dave = gateway.createKey("{\"name\":\"dave\",\"owner_id\":\"d\","
                + "\"tags\":{\"mcp_servers\":\"users\"}}");
        authorize(dave, "dave");
        gateway.close();

        try (SqlDatabase database = SqlDatabase.h2(data)) {
            McpStore.Token token = database.mcp().token("users", dave.id()).orElseThrow();
            assertFalse(token.sealed().contains("user-at-dave"));
            assertFalse(token.sealed().contains("rt-dave"));
        }
        gateway = new TestGateway(data);
        assertEquals("Bearer user-at-dave", client(gateway, dave).callTool("whoami", args())
                .path("structuredContent").path("authorization").asText());
    }

    @Test
    void aBadCallbackIsA400() {
        assertEquals(400, Http.get(gateway.proxy("/api/mcp/oauth/callback?code=x&state=forged")).status());
        assertEquals(400, Http.get(gateway.proxy("/api/mcp/oauth/callback?error=access_denied")).status());
        assertEquals(400, Http.get(gateway.proxy("/api/mcp/oauth/callback")).status());
        TestGateway.Key key = gateway.createKey("{\"name\":\"e\",\"owner_id\":\"e\"}");
        assertEquals(404, Http.get(gateway.proxy("/api/mcp/oauth/nope/authorize"), "Authorization", key.bearer())
                .status());
        assertEquals(400, Http.get(gateway.proxy("/api/mcp/oauth/users/authorize"), "Authorization", TestGateway.M)
                .status());
    }
}
