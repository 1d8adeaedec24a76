package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.keys.VirtualKeys;
import java.io.IOException;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class VirtualKeysApiTest extends GatewayTest {
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MASTER = "Bearer " + Gateway.MASTER;
    private static final String VKEYS = "/api/enterprise/vkeys";


    @Test
    void everyManagementRouteRejectsAMissingOrWrongMasterKeyWith401() throws Exception {
        // given
        JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"team-a\"}");
        String id = created.path("id").asText();
        List<String[]> routes = List.of(new String[] {"POST", VKEYS}, new String[] {"GET", VKEYS},
                new String[] {"GET", VKEYS + "/owner/team-a"}, new String[] {"GET", VKEYS + "/" + id},
                new String[] {"POST", VKEYS + "/" + id + "/revoke"}, new String[] {"GET", VKEYS + "/" + id + "/budget"},
                new String[] {"POST", VKEYS + "/" + id + "/reset"});
        List<String[]> credentials = List.of(new String[0], new String[] {"authorization", "Bearer wrong-key"},
                new String[] {"authorization", "Bearer " + created.path("token").asText()});

        for (String[] route : routes) {
            for (String[] credential : credentials) {
                // when
                try (Response response = call(route[0], route[1], "{\"name\":\"x\",\"owner_id\":\"y\"}",
                        credential)) {
                    // then
                    assertEquals(401, response.code(), route[0] + " " + route[1]);
                    assertEquals("invalid_api_key", Gateway.json(response).at("/error/code").asText());
                }
            }
        }
        // and nothing changed: one key, still active
        JsonNode list = list(VKEYS);
        assertEquals(1, list.path("data").size());
        assertTrue(list.at("/data/0/active").asBoolean());
    }

    @Test
    void aCreatedTokenCallsChatCompletionsWithBearerAndXApiKey() throws Exception {
        // given
        String token = create("{\"name\":\"ci\",\"owner_id\":\"team-a\"}").path("token").asText();
        assertTrue(VirtualKeys.looksLikeToken(token), token);

        // when
        try (Response bearer = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT,
                "authorization", "Bearer " + token);
             Response apiKey = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "x-api-key", token)) {
            // then
            assertEquals(200, bearer.code());
            assertEquals("Hello from upstream", Gateway.json(bearer).at("/choices/0/message/content").asText());
            assertEquals(200, apiKey.code());
            assertEquals("Hello from upstream", Gateway.json(apiKey).at("/choices/0/message/content").asText());
        }
        assertEquals(2, upstream.server.getRequestCount());
    }

    @Test
    void createAnswersWithTheTokenOnceAndTheMetadata() throws Exception {
        // when
        JsonNode created = create("""
                {"name":"ci","owner_id":"team-a","allowed_providers":["openai","Groq"],"budget_usd":12.5,
                 "period":"weekly","tpm_limit":10000,"rpm_limit":60,"tags":{"env":"prod"}}""");

        // then
        assertTrue(created.path("id").asText().startsWith("key_"));
        assertEquals("ci", created.path("name").asText());
        assertEquals("team-a", created.path("owner_id").asText());
        assertEquals("[\"groq\",\"openai\"]", created.path("allowed_providers").toString());
        assertEquals("12.5", created.path("budget_usd").decimalValue().toPlainString());
        assertEquals("weekly", created.path("period").asText());
        assertEquals(10000, created.path("tpm_limit").asLong());
        assertEquals(60, created.path("rpm_limit").asLong());
        assertEquals("prod", created.at("/tags/env").asText());
        assertTrue(created.path("active").asBoolean());
        assertFalse(created.has("token_hash"));
    }

    @Test
    void listingShowsMetadataAndNeverTheTokenOrItsHash() throws Exception {
        // given
        JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":5}");
        String token = created.path("token").asText();
        create("{\"name\":\"other\",\"owner_id\":\"team-b\"}");

        for (String path : List.of(VKEYS, VKEYS + "/owner/team-a", VKEYS + "/" + created.path("id").asText())) {
            // when
            try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, path), "authorization", MASTER)) {
                String body = response.body().string();

                // then
                assertEquals(200, response.code(), path);
                assertFalse(body.contains(token), path);
                assertFalse(body.contains(VirtualKeys.hash(token)), path);
                assertFalse(body.contains(token.substring(6)), path);
                assertTrue(body.contains(created.path("id").asText()), path);
            }
        }
        JsonNode all = list(VKEYS);
        assertEquals(2, all.path("data").size());
        assertEquals("ci", all.at("/data/0/name").asText());
        assertEquals(5, all.at("/data/0/budget_usd").asInt());
        JsonNode owned = list(VKEYS + "/owner/team-b");
        assertEquals(1, owned.path("data").size());
        assertEquals("other", owned.at("/data/0/name").asText());
    }

    @Test
    void aRevokedTokenIsRejectedWith401Immediately() throws Exception {
        // given
        JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"team-a\"}");
        String token = created.path("token").asText();
        try (Response first = chat(token)) {
            assertEquals(200, first.code());
        }

        // when
        try (Response revoked = gateway.post(gateway.url(Service.MANAGEMENT,
                VKEYS + "/" + created.path("id").asText() + "/revoke"), "{}", "authorization", MASTER)) {
            assertEquals(200, revoked.code());
            assertFalse(Gateway.json(revoked).path("active").asBoolean());
        }

        // then
        try (Response after = chat(token)) {
            assertEquals(401, after.code());
            assertEquals("invalid_api_key", Gateway.json(after).at("/error/code").asText());
        }
        assertEquals(1, upstream.server.getRequestCount());
    }

    @Test
    void revokingOrShowingAnUnknownKeyIs404() throws Exception {
        try (Response revoke = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS + "/key_nope/revoke"), "{}",
                "authorization", MASTER);
             Response show = gateway.get(gateway.url(Service.MANAGEMENT, VKEYS + "/key_nope"),
                     "authorization", MASTER)) {
            assertEquals(404, revoke.code());
            assertEquals("key_not_found", Gateway.json(revoke).at("/error/code").asText());
            assertEquals(404, show.code());
        }
    }

    @Test
    void aKeyRestrictedToGroqCallingAnOpenAiModelIs403AndNothingReachesTheUpstream() throws Exception {
        // given
        String token = create("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"allowed_providers\":[\"groq\"]}")
                .path("token").asText();

        // when
        try (Response response = chat(token)) {
            // then
            assertEquals(403, response.code());
            JsonNode error = Gateway.json(response).path("error");
            assertEquals("permission_error", error.path("type").asText());
            assertEquals("provider_not_allowed", error.path("code").asText());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void aKeyStillWorksAfterARestartOnTheSameDataDir() throws Exception {
        // given
        String token = create("{\"name\":\"ci\",\"owner_id\":\"team-a\"}").path("token").asText();
        gateway.close();

        // when
        gateway = new Gateway(upstream, data);

        // then
        try (Response response = chat(token)) {
            assertEquals(200, response.code());
        }
        assertEquals(1, list(VKEYS).path("data").size());
    }

    @Test
    void badCreateBodiesAre400WithTheFieldNamed() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"not json", null},
                new String[] {"[1,2]", null},
                new String[] {"{\"owner_id\":\"team-a\"}", "name"},
                new String[] {"{\"name\":\" \",\"owner_id\":\"team-a\"}", "name"},
                new String[] {"{\"name\":\"ci\"}", "owner_id"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"allowed_providers\":\"openai\"}",
                        "allowed_providers"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"budget_usd\":-1}", "budget_usd"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"budget_usd\":\"10\"}", "budget_usd"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"period\":\"hourly\"}", "period"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"rpm_limit\":1.5}", "rpm_limit"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"tpm_limit\":-3}", "tpm_limit"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"tags\":{\"env\":1}}", "tags"});
        for (String[] c : cases) {
            try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS), c[0],
                    "authorization", MASTER)) {
                assertEquals(400, response.code(), c[0]);
                JsonNode error = Gateway.json(response).path("error");
                assertEquals("invalid_request_error", error.path("type").asText(), c[0]);
                if (c[1] != null) {
                    assertEquals(c[1], error.path("param").asText(), c[0]);
                }
            }
        }
        assertEquals(0, list(VKEYS).path("data").size());
    }

    private JsonNode create(String body) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS), body,
                "authorization", MASTER)) {
            assertEquals(201, response.code());
            return Gateway.json(response);
        }
    }

    private JsonNode list(String path) throws IOException {
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, path), "authorization", MASTER)) {
            assertEquals(200, response.code());
            return Gateway.json(response);
        }
    }

    private Response chat(String token) throws IOException {
        return gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "authorization", "Bearer " + token);
    }

    private Response call(String method, String path, String body, String[] headers) throws IOException {
        String url = gateway.url(Service.MANAGEMENT, path);
        return method.equals("POST") ? gateway.post(url, body, headers) : gateway.get(url, headers);
    }
}
