package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway authenticates to upstreams with the registered credentials (a bearer token, an API key in a header, an
 * OAuth token it obtains with client credentials), which never reach the client, the registry's answers or the logs.
 */
class UpstreamAuthTest {
    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer upstream;
    MockWebServer tokens;
    final List<String> tokenRequests = new CopyOnWriteArrayList<>();
    final AtomicInteger issued = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        tokens = new MockWebServer();
        tokens.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                tokenRequests.add(request.getBody().utf8());
                return new MockResponse.Builder().addHeader("Content-Type", "application/json")
                        .body("{\"access_token\":\"cc-token-" + issued.incrementAndGet() + "\",\"token_type\":"
                                + "\"Bearer\",\"expires_in\":3600}").build();
            }
        });
        tokens.start();
        gateway = new TestGateway(data);
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        upstream.close();
        tokens.close();
    }

    private JsonNode whoami(String serverId) {
        RpcClient client = RpcClient.legacy(gateway.proxy("/" + serverId + "/mcp"), TestGateway.M);
        client.initialize("2025-11-25");
        return client.callTool("whoami", args()).path("structuredContent");
    }

    @Test
    void aBearerTokenReachesTheUpstreamAndNobodyElse() {
        upstream.requireAuthorization("Bearer upstream-secret-1");
        gateway.register("{\"id\":\"bearer\",\"base_url\":\"" + upstream.url() + "\",\"auth_type\":\"bearer\","
                + "\"auth\":{\"token\":\"upstream-secret-1\"}}");

        JsonNode seen = whoami("bearer");

        assertEquals("Bearer upstream-secret-1", seen.path("authorization").asText());
        String listed = Http.get(gateway.proxy("/api/mcp/servers"), "Authorization", TestGateway.M).body();
        assertFalse(listed.contains("upstream-secret-1"));
        String logs = Http.get(gateway.proxy("/api/mcp/logs"), "Authorization", TestGateway.M).body();
        assertFalse(logs.contains("upstream-secret-1"));
    }

    @Test
    void anApiKeyTravelsInItsHeader() {
        gateway.register("{\"id\":\"keyed\",\"base_url\":\"" + upstream.url() + "\",\"auth_type\":\"api_key\","
                + "\"auth\":{\"key\":\"key-abc\",\"header\":\"X-API-Key\"}}");

        assertEquals("key-abc", whoami("keyed").path("x-api-key").asText());
    }

    @Test
    void clientCredentialsAreExchangedForATokenThatIsReusedAndRenewedAfterA401() {
        gateway.register("{\"id\":\"oauth-cc\",\"base_url\":\"" + upstream.url() + "\",\"auth_type\":"
                + "\"oauth_client_credentials\",\"auth\":{\"token_url\":\"" + tokens.url("/token")
                + "\",\"client_id\":\"gateway\",\"client_secret\":\"cs-secret\",\"scopes\":[\"tools.read\","
                + "\"tools.call\"]}}");

        JsonNode first = whoami("oauth-cc");
        JsonNode second = whoami("oauth-cc");

        assertEquals("Bearer cc-token-1", first.path("authorization").asText());
        assertEquals("Bearer cc-token-1", second.path("authorization").asText());
        assertEquals(1, issued.get());
        String form = tokenRequests.getFirst();
        assertTrue(form.contains("grant_type=client_credentials") && form.contains("client_id=gateway")
                && form.contains("client_secret=cs-secret") && form.contains("scope=tools.read+tools.call"), form);

        upstream.requireAuthorization("Bearer cc-token-2");
        JsonNode renewed = whoami("oauth-cc");

        assertEquals("Bearer cc-token-2", renewed.path("authorization").asText());
    }
}
