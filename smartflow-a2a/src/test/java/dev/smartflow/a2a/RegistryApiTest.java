package dev.smartflow.a2a;

import static dev.smartflow.a2a.TestGateway.M;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.spi.A2aAgentStore;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.server.module.SecretBox;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry API: register, list, show, replace, delete; credentials kept server-side only. */
class RegistryApiTest {
    private static final String SECRET = "sk-agent-very-secret-42";

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

    private JsonNode register() {
        return gateway.register("{\"id\":\"helper\",\"name\":\"Helper\",\"url\":\"https://agent.example.com/a2a/\","
                + "\"auth\":{\"type\":\"bearer\",\"token\":\"" + SECRET + "\"},\"allowed_keys\":[\"key_1\"],"
                + "\"allowed_tags\":{\"team\":\"research\"},\"cost_per_task_usd\":0.25}");
    }

    @Test
    void aRegisteredAgentIsShownWithEveryFieldButItsCredential() {
        JsonNode agent = register();

        assertEquals("helper", agent.path("id").asText());
        assertEquals("Helper", agent.path("name").asText());
        assertEquals("https://agent.example.com/a2a", agent.path("url").asText());
        assertEquals("bearer", agent.path("auth").path("type").asText());
        assertTrue(agent.path("auth").path("has_secret").asBoolean());
        assertEquals("key_1", agent.path("allowed_keys").path(0).asText());
        assertEquals("research", agent.path("allowed_tags").path("team").asText());
        assertEquals(0.25, agent.path("cost_per_task_usd").asDouble());
        Http.Reply list = Http.get(gateway.proxy("/api/a2a/agents"), "Authorization", M);
        Http.Reply one = Http.get(gateway.proxy("/api/a2a/agents/helper"), "Authorization", M);
        assertEquals(1, list.json().path("agents").size());
        for (String body : new String[] {list.body(), one.body()}) {
            assertFalse(body.contains(SECRET), body);
        }
    }

    @Test
    void theCredentialIsStoredSealed() throws Exception {
        InMemoryDatabase database = new InMemoryDatabase();
        try (Agents agents = new Agents(database.a2aAgents(), SecretBox.fromPassphrase("p"),
                new InMemorySharedState(), "t:", java.time.InstantSource.system(), Runnable::run)) {
            agents.create(AgentDefinition.parse(Http.JSON.readTree("{\"id\":\"a\",\"url\":\"https://a.example"
                    + ".com\",\"auth\":{\"type\":\"bearer\",\"token\":\"" + SECRET + "\"}}"), Optional.empty(),
                    Optional.empty()));

            A2aAgentStore.Agent stored = database.a2aAgents().agent("a").orElseThrow();
            assertFalse(stored.secrets().contains(SECRET));
            assertFalse(stored.definition().contains(SECRET));
            assertEquals(Optional.of(SECRET), agents.get("a").orElseThrow().secret());
            assertFalse(agents.get("a").orElseThrow().toString().contains(SECRET));
        }
    }

    @Test
    void aReplacementWithoutTheCredentialKeepsItAndADeleteRemovesTheAgent() {
        register();

        Http.Reply replaced = Http.put(gateway.proxy("/api/a2a/agents/helper"), "{\"url\":\"https://moved.example"
                + ".com\",\"auth\":{\"type\":\"bearer\"},\"allowed_keys\":[\"*\"]}", "Authorization", M);
        assertEquals(200, replaced.status(), replaced.body());
        assertTrue(replaced.json().path("agent").path("auth").path("has_secret").asBoolean());
        assertEquals("https://moved.example.com", replaced.json().path("agent").path("url").asText());

        assertEquals(200, Http.delete(gateway.proxy("/api/a2a/agents/helper"), "Authorization", M).status());
        assertEquals(404, Http.get(gateway.proxy("/api/a2a/agents/helper"), "Authorization", M).status());
        assertEquals(404, Http.delete(gateway.proxy("/api/a2a/agents/helper"), "Authorization", M).status());
    }

    @Test
    void aTakenIdIs409AndBadFieldsAre400NamingThem() {
        register();

        Http.Reply taken = Http.post(gateway.proxy("/api/a2a/agents"), "{\"id\":\"helper\",\"url\":\"https://x"
                + ".example.com\"}", "Authorization", M);
        Http.Reply badUrl = Http.post(gateway.proxy("/api/a2a/agents"), "{\"id\":\"b\",\"url\":\"ftp://x\"}",
                "Authorization", M);
        Http.Reply noToken = Http.post(gateway.proxy("/api/a2a/agents"), "{\"id\":\"c\",\"url\":\"https://x.example"
                + ".com\",\"auth\":{\"type\":\"api_key\",\"header\":\"X-Key\"}}", "Authorization", M);
        Http.Reply unknown = Http.post(gateway.proxy("/api/a2a/agents"), "{\"id\":\"d\",\"url\":\"https://x"
                + ".example.com\",\"colour\":\"red\"}", "Authorization", M);

        assertEquals(409, taken.status());
        assertEquals(400, badUrl.status());
        assertTrue(badUrl.body().contains("url"), badUrl.body());
        assertEquals(400, noToken.status());
        assertTrue(noToken.body().contains("'key'"), noToken.body());
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().contains("colour"));
    }

    @Test
    void theRegistryNeedsTheMasterKey() {
        TestGateway.Key key = gateway.createKey("{\"name\":\"k\",\"owner_id\":\"o\"}");

        assertEquals(401, Http.get(gateway.proxy("/api/a2a/agents")).status());
        assertEquals(401, Http.get(gateway.proxy("/api/a2a/agents"), "Authorization", key.bearer()).status());
        assertEquals(401, Http.post(gateway.proxy("/api/a2a/agents"), "{\"id\":\"a\",\"url\":\"https://a.example"
                + ".com\"}", "Authorization", key.bearer()).status());
    }
}
