package dev.smartflow.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.testkit.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Card rewriting checked field by field on cards shaped like the specification's samples, and the card cache. */
class CardsTest {
    private static final String GATEWAY = "https://gw.example.com/a2a/geo";

    /** The shape of A2A 1.0's sample card (section 8.5), abridged. */
    private static final String V1_CARD = """
            {"name": "GeoSpatial Route Planner Agent", "description": "Route planning", "version": "1.2.0",
             "supportedInterfaces": [
               {"url": "https://georoute-agent.example.com/a2a/v1", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"},
               {"url": "https://georoute-agent.example.com/a2a/grpc", "protocolBinding": "GRPC", "protocolVersion": "1.0"},
               {"url": "https://georoute-agent.example.com/a2a/json", "protocolBinding": "HTTP+JSON", "protocolVersion": "1.0"}],
             "provider": {"organization": "Example Geo Services Inc.", "url": "https://www.examplegeoservices.com"},
             "iconUrl": "https://georoute-agent.example.com/icon.png",
             "documentationUrl": "https://docs.examplegeoservices.com/georoute-agent/api",
             "capabilities": {"streaming": true, "pushNotifications": true, "extendedAgentCard": true},
             "securitySchemes": {"google": {"openIdConnectSecurityScheme": {"openIdConnectUrl": "https://accounts.google.com/.well-known/openid-configuration"}}},
             "securityRequirements": [{"schemes": {"google": {"list": ["openid", "profile", "email"]}}}],
             "defaultInputModes": ["application/json", "text/plain"], "defaultOutputModes": ["application/json", "image/png"],
             "skills": [{"id": "route-optimizer-traffic", "name": "Traffic-Aware Route Optimizer", "description": "d",
                         "tags": ["maps"], "examples": ["Plan a route"]}],
             "signatures": [{"protected": "eyJhbGciOiJFUzI1NiJ9", "signature": "QFdkNLNszlGj3z3u0YQGt"}]}
            """;

    /** The shape of an A2A 0.3 card. */
    private static final String V03_CARD = """
            {"protocolVersion": "0.3.0", "name": "Old Agent", "description": "d", "version": "0.1",
             "url": "https://old.example.com/a2a", "preferredTransport": "JSONRPC",
             "additionalInterfaces": [{"url": "https://old.example.com/a2a", "transport": "JSONRPC"},
                                      {"url": "https://old.example.com/grpc", "transport": "GRPC"},
                                      {"url": "https://old.example.com/rest", "transport": "HTTP+JSON"}],
             "capabilities": {"streaming": true, "pushNotifications": true},
             "supportsAuthenticatedExtendedCard": true,
             "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
             "security": [{"key": []}],
             "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"], "skills": []}
            """;

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) Http.JSON.readTree(text);
    }

    @Test
    void a1CardPointsEveryRelayedInterfaceAtTheGatewayAndAsksForItsKey() throws Exception {
        ObjectNode original = json(V1_CARD);

        ObjectNode card = Cards.rewrite(original, GATEWAY);

        JsonNode interfaces = card.path("supportedInterfaces");
        assertEquals(2, interfaces.size(), "gRPC is not relayed");
        assertEquals(GATEWAY, interfaces.path(0).path("url").asText());
        assertEquals("JSONRPC", interfaces.path(0).path("protocolBinding").asText());
        assertEquals("1.0", interfaces.path(0).path("protocolVersion").asText());
        assertEquals(GATEWAY, interfaces.path(1).path("url").asText());
        assertEquals("HTTP+JSON", interfaces.path(1).path("protocolBinding").asText());
        assertEquals(1, card.path("securitySchemes").size());
        assertEquals("Bearer", card.path("securitySchemes").path("smartflow").path("httpAuthSecurityScheme")
                .path("scheme").asText());
        assertEquals(1, card.path("securityRequirements").size());
        assertEquals(List.of("smartflow"), fieldNames(card.path("securityRequirements").path(0).path("schemes")));
        assertEquals(0, card.path("securityRequirements").path(0).path("schemes").path("smartflow").path("list")
                .size());
        assertFalse(card.has("signatures"));
        assertFalse(card.path("capabilities").path("pushNotifications").asBoolean());
        assertFalse(card.path("capabilities").path("extendedAgentCard").asBoolean());
        assertEquals(true, card.path("capabilities").path("streaming").asBoolean());
        for (String kept : new String[] {"name", "description", "version", "provider", "iconUrl", "documentationUrl",
                "defaultInputModes", "defaultOutputModes", "skills"}) {
            assertEquals(original.get(kept), card.get(kept), kept);
        }
        assertFalse(card.toString().contains("georoute-agent.example.com/a2a"));
    }

    @Test
    void a03CardPointsItsUrlAndInterfacesAtTheGatewayAndAsksForItsKey() throws Exception {
        ObjectNode original = json(V03_CARD);

        ObjectNode card = Cards.rewrite(original, GATEWAY);

        assertEquals(GATEWAY, card.path("url").asText());
        assertEquals("JSONRPC", card.path("preferredTransport").asText());
        assertEquals("0.3.0", card.path("protocolVersion").asText());
        JsonNode interfaces = card.path("additionalInterfaces");
        assertEquals(2, interfaces.size(), interfaces.toString());
        assertEquals(GATEWAY, interfaces.path(0).path("url").asText());
        assertEquals("JSONRPC", interfaces.path(0).path("transport").asText());
        assertEquals("HTTP+JSON", interfaces.path(1).path("transport").asText());
        assertEquals("http", card.path("securitySchemes").path("smartflow").path("type").asText());
        assertEquals("bearer", card.path("securitySchemes").path("smartflow").path("scheme").asText());
        assertFalse(card.path("securitySchemes").has("key"));
        assertEquals(1, card.path("security").size());
        assertEquals(List.of("smartflow"), fieldNames(card.path("security").path(0)));
        assertFalse(card.path("supportsAuthenticatedExtendedCard").asBoolean());
        assertFalse(card.toString().contains("old.example.com"));
    }

    @Test
    void theInterfacesOfBothRevisionsAreReadForRouting() throws Exception {
        assertEquals(List.of(new Cards.Interface("JSONRPC", Wire.Version.V1_0, "https://georoute-agent.example.com/a2a/v1"),
                new Cards.Interface("HTTP+JSON", Wire.Version.V1_0, "https://georoute-agent.example.com/a2a/json")),
                Cards.interfaces(json(V1_CARD)));
        assertEquals(List.of(new Cards.Interface("JSONRPC", Wire.Version.V0_3, "https://old.example.com/a2a"),
                new Cards.Interface("HTTP+JSON", Wire.Version.V0_3, "https://old.example.com/rest")),
                Cards.interfaces(json(V03_CARD)));
    }

    @Test
    void aCardIsFetchedOncePerTtlAndServedStaleWhenTheAgentIsGone() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAgent agent = new TestAgent(true, false); HttpTransport http = HttpTransport.create()) {
            Cards cards = new Cards(new Upstream(http, Duration.ofSeconds(5)), clock, Duration.ofMinutes(5));
            Agents.Entry entry = new Agents.Entry(AgentDefinition.parse(json("{\"id\":\"e\",\"url\":\"" + agent.url()
                    + "\"}"), Optional.empty(), Optional.empty()).definition(), Optional.empty());

            cards.card(entry);
            cards.card(entry);
            clock.advance(Duration.ofMinutes(4));
            cards.card(entry);
            assertEquals(1, agent.cardFetches.get());

            clock.advance(Duration.ofMinutes(2));
            cards.card(entry);
            assertEquals(2, agent.cardFetches.get());

            agent.close();
            clock.advance(Duration.ofMinutes(10));
            assertEquals("Echo Agent", cards.card(entry).path("name").asText());
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
