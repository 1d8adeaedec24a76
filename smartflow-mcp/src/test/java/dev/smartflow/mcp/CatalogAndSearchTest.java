package dev.smartflow.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog across servers and the semantic search over it (the offline ONNX embedder of the cache module): each
 * caller sees, and finds, only the tools it may use.
 */
class CatalogAndSearchTest {
    @TempDir
    static Path data;
    static TestGateway gateway;
    static TestMcpServer upstream;
    static TestGateway.Key limited;

    @BeforeAll
    static void start() {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"math\",\"name\":\"Maths\",\"base_url\":\"" + upstream.url()
                + "\",\"allowed_tools\":[\"add\",\"echo\"]}");
        gateway.register("{\"id\":\"ops\",\"name\":\"Operations\",\"base_url\":\"" + upstream.url()
                + "\",\"allowed_tools\":[\"delete_repo\",\"counter\"]}");
        limited = gateway.createKey("{\"name\":\"l\",\"owner_id\":\"o\",\"tags\":{\"mcp_servers\":\"math\"}}");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void theCatalogListsEveryToolTheCallerMayUse() {
        JsonNode all = Http.get(gateway.proxy("/api/mcp/tools"), "Authorization", TestGateway.M).json();
        JsonNode mine = Http.get(gateway.proxy("/api/mcp/tools"), "Authorization", limited.bearer()).json();

        assertEquals(List.of("math.echo", "math.add", "ops.counter", "ops.delete_repo"), names(all, "tools"));
        assertEquals(List.of("math.echo", "math.add"), names(mine, "tools"));
        JsonNode add = mine.path("tools").get(1);
        assertEquals("math", add.path("server_id").asText());
        assertEquals("Maths", add.path("server_name").asText());
        assertEquals("object", add.path("input_schema").path("type").asText());
    }

    @Test
    void searchFindsTheToolThatFitsAmongThoseTheCallerMayUse() {
        JsonNode found = Http.get(gateway.proxy("/api/mcp/tools/search?q=sum%20of%20two%20numbers&k=1"),
                "Authorization", limited.bearer()).json();
        JsonNode deleting = Http.get(gateway.proxy("/api/mcp/tools/search?q=delete%20a%20repository&k=5"),
                "Authorization", limited.bearer()).json();
        JsonNode deletingAsMaster = Http.get(gateway.proxy("/api/mcp/tools/search?q=delete%20a%20repository&k=1"),
                "Authorization", TestGateway.M).json();

        assertEquals(1, found.path("results").size(), found.toString());
        JsonNode best = found.path("results").get(0);
        assertEquals("math", best.path("server_id").asText());
        assertEquals("add", best.path("name").asText());
        assertEquals("Adds two numbers", best.path("description").asText());
        assertTrue(best.path("score").asDouble() > 0.3, best.toString());
        assertFalse(names(deleting, "results").contains("ops.delete_repo"), deleting.toString());
        assertEquals(List.of("ops.delete_repo"), names(deletingAsMaster, "results"));
    }

    @Test
    void theIndexShowsWhatWasEmbeddedAndWithWhichModel() {
        JsonNode index = Http.get(gateway.proxy("/api/mcp/tools/index"), "Authorization", limited.bearer()).json();

        assertEquals(384, index.path("dimensions").asInt(), index.toString());
        assertFalse(index.path("model").asText().isEmpty());
        assertEquals(List.of("math.echo", "math.add"), names(index, "tools"));
        assertTrue(index.path("tools").get(1).path("embedded_text").asText().contains("Adds two numbers"));
    }

    @Test
    void aSearchWithoutAQueryIsA400() {
        Http.Reply reply = Http.get(gateway.proxy("/api/mcp/tools/search"), "Authorization", limited.bearer());
        Http.Reply badK = Http.get(gateway.proxy("/api/mcp/tools/search?q=x&k=0"), "Authorization",
                limited.bearer());

        assertEquals(400, reply.status());
        assertEquals("q", reply.json().path("error").path("param").asText());
        assertEquals(400, badK.status());
    }

    private static List<String> names(JsonNode answer, String field) {
        List<String> names = new ArrayList<>();
        answer.path(field).forEach(t -> names.add(t.path("qualified_name").asText()));
        return names;
    }
}
