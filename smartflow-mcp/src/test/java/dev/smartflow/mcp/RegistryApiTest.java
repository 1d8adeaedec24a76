package dev.smartflow.mcp;

import static dev.smartflow.mcp.TestGateway.M;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.store.sql.SqlDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server registry over HTTP: CRUD for the master key, secrets kept server-side, refusals that name the field. */
class RegistryApiTest {
    private static final String GITHUB = """
            {"id":"github-tools","name":"GitHub MCP Server","base_url":"https://mcp.github.example.com/mcp",
             "auth_type":"bearer","auth":{"token":"ghp-secret-token-123"},
             "allowed_tools":["list_repos","create_issue"],"disallowed_tools":[],
             "allowed_params":{"create_issue":["repo","title"]},
             "cost_info":{"per_call_usd":0.001},"guardrail_mode":"strict"}""";

    @TempDir
    Path data;
    TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = new TestGateway(data);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void aRegisteredServerIsListedShownAndDeletedWithoutItsSecret() {
        JsonNode created = gateway.register(GITHUB);

        assertEquals("github-tools", created.path("id").asText());
        assertEquals("streamable_http", created.path("transport").asText());
        assertEquals("bearer", created.path("auth_type").asText());
        assertTrue(created.path("auth").path("has_token").asBoolean());
        assertEquals("0.001", created.path("cost_info").path("per_call_usd").decimalValue().toPlainString());
        assertEquals(List.of("repo", "title"), texts(created.path("allowed_params").path("create_issue")));
        assertEquals("strict", created.path("guardrail_mode").asText());
        assertTrue(created.path("available_on_public_internet").asBoolean());
        Http.Reply list = Http.get(gateway.proxy("/api/mcp/servers"), "Authorization", M);
        assertEquals(200, list.status());
        assertEquals(1, list.json().path("total").asInt());
        assertEquals(created, list.json().path("servers").get(0));
        Http.Reply shown = Http.get(gateway.proxy("/api/mcp/servers/github-tools"), "Authorization", M);
        assertEquals(created, shown.json().path("server"));
        for (Http.Reply reply : List.of(list, shown)) {
            assertFalse(reply.body().contains("ghp-secret-token-123"), reply.body());
        }

        Http.Reply deleted = Http.delete(gateway.proxy("/api/mcp/servers/github-tools"), "Authorization", M);

        assertEquals(200, deleted.status());
        assertEquals(404, Http.get(gateway.proxy("/api/mcp/servers/github-tools"), "Authorization", M).status());
        Http.Reply again = Http.delete(gateway.proxy("/api/mcp/servers/github-tools"), "Authorization", M);
        assertEquals(404, again.status());
        assertEquals("server_not_found", again.json().path("error").path("code").asText());
    }

    @Test
    void registeringAnIdTwiceIsAConflictAndKeepsTheFirst() {
        gateway.register(GITHUB);

        Http.Reply second = Http.post(gateway.proxy("/api/mcp/servers"),
                "{\"id\":\"github-tools\",\"base_url\":\"https://other.example.com/mcp\"}", "Authorization", M);

        assertEquals(409, second.status());
        assertEquals("server_exists", second.json().path("error").path("code").asText());
        assertEquals("https://mcp.github.example.com/mcp", Http.get(gateway.proxy("/api/mcp/servers/github-tools"),
                "Authorization", M).json().path("server").path("base_url").asText());
    }

    @Test
    void whatAGetAnswersCanBePutBackAndKeepsTheStoredSecret() {
        JsonNode created = gateway.register(GITHUB);
        ((ObjectNode) created).put("name", "Renamed");

        Http.Reply replaced = Http.put(gateway.proxy("/api/mcp/servers/github-tools"), created.toString(),
                "Authorization", M);

        assertEquals(200, replaced.status(), replaced.body());
        JsonNode server = replaced.json().path("server");
        assertEquals("Renamed", server.path("name").asText());
        assertTrue(server.path("auth").path("has_token").asBoolean());
        assertEquals(created.path("created_at"), server.path("created_at"));
    }

    @Test
    void aPutOfANewIdCreatesIt() {
        Http.Reply created = Http.put(gateway.proxy("/api/mcp/servers/files"),
                "{\"stdio\":{\"command\":\"java\",\"args\":[\"-version\"],\"env\":{\"TOKEN\":\"stdio-secret\"}}}",
                "Authorization", M);

        assertEquals(201, created.status(), created.body());
        JsonNode server = created.json().path("server");
        assertEquals("stdio", server.path("transport").asText());
        assertEquals(List.of("TOKEN"), texts(server.path("stdio").path("env_names")));
        assertFalse(created.body().contains("stdio-secret"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"id":"Bad Id","base_url":"https://x.example.com"}                                | id
            {"id":"api","base_url":"https://x.example.com"}                                   | id
            {"id":"x","base_url":"https://x.example.com","stdio":{"command":"y"}}             | stdio
            {"id":"x"}                                                                        | base_url
            {"id":"x","base_url":"ftp://x.example.com"}                                       | base_url
            {"id":"x","base_url":"https://user:pw@x.example.com"}                             | base_url
            {"id":"x","base_url":"https://x.example.com","auth_type":"bearer"}                | auth.token
            {"id":"x","base_url":"https://x.example.com","auth_type":"magic"}                 | auth_type
            {"id":"x","base_url":"https://x.example.com","cost_info":{"per_call_usd":-1}}     | cost_info.per_call_usd
            {"id":"x","base_url":"https://x.example.com","guardrail_mode":"lenient"}          | guardrail_mode
            {"id":"x","base_url":"https://x.example.com","allowed_tool":["a"]}                | allowed_tool
            {"id":"x","base_url":"https://x.example.com","allowed_tools":"a"}                 | allowed_tools
            {"id":"x","base_url":"https://x.example.com","allowed_params":{"t":[1]}}          | allowed_params.t[0]
            {"id":"x","stdio":{"command":"y","env":{"1BAD":"v"}}}                             | stdio.env
            """)
    void aBadRegistrationIsA400NamingTheFieldAndStoresNothing(String body, String param) {
        Http.Reply reply = Http.post(gateway.proxy("/api/mcp/servers"), body, "Authorization", M);

        assertEquals(400, reply.status(), reply.body());
        assertEquals(param, reply.json().path("error").path("param").asText(), reply.body());
        assertEquals(0, Http.get(gateway.proxy("/api/mcp/servers"), "Authorization", M).json().path("total").asInt());
    }

    @Test
    void notJsonIsA400() {
        Http.Reply reply = Http.post(gateway.proxy("/api/mcp/servers"), "{not json", "Authorization", M);

        assertEquals(400, reply.status());
        assertEquals("invalid_json", reply.json().path("error").path("code").asText());
    }

    @Test
    void theRegistryAnswersOnlyTheMasterKey() {
        TestGateway.Key key = gateway.createKey("{\"name\":\"dev\",\"owner_id\":\"team-a\"}");

        assertEquals(401, Http.get(gateway.proxy("/api/mcp/servers")).status());
        assertEquals(401, Http.get(gateway.proxy("/api/mcp/servers"), "Authorization", key.bearer()).status());
        assertEquals(401, Http.post(gateway.proxy("/api/mcp/servers"), GITHUB, "Authorization", key.bearer())
                .status());
    }

    @Test
    void theDatabaseHoldsSecretsOnlySealed() {
        gateway.register(GITHUB);
        gateway.close();

        try (SqlDatabase database = SqlDatabase.h2(data)) {
            McpStore.Server stored = database.mcp().server("github-tools").orElseThrow();
            assertFalse(stored.secrets().contains("ghp-secret-token-123"));
            assertFalse(stored.definition().contains("ghp-secret-token-123"));
            assertTrue(stored.secrets().startsWith("v1:"));
        }
        gateway = new TestGateway(data);
        assertTrue(Http.get(gateway.proxy("/api/mcp/servers/github-tools"), "Authorization", M).json()
                .path("server").path("auth").path("has_token").asBoolean());
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
