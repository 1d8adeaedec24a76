package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.keys.VirtualKeys;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"tags\":{\"env\":1}}", "tags"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"budget_usd\":1e-2147483649}", null},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"tpm_limit\":1E+2147483648}", null});
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

    @Test
    void aBudgetThatIsNotAFiniteAmountUpToOneBillionUsdIs400NamingBudgetUsd() throws Exception {
        for (String budget : List.of("1e400", "-1e400", "1e999999999", "1000000000.000001", "1E+10", "-0.5",
                "99999999999999999999999999")) {
            // when
            try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS),
                    "{\"name\":\"ci\",\"owner_id\":\"a\",\"budget_usd\":" + budget + "}", "authorization", MASTER)) {
                // then
                assertEquals(400, response.code(), budget);
                JsonNode error = Gateway.json(response).path("error");
                assertEquals("budget_usd", error.path("param").asText(), budget);
                assertFalse(error.path("message").asText().isBlank(), budget);
            }
        }
        assertEquals(0, list(VKEYS).path("data").size());
    }

    @Test
    void budgetsAreExactDecimalsRoundedToTheMicroDollar() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("0.1", "0.1");
        expected.put("1000000000", "1000000000");
        expected.put("1000000000.0000000", "1000000000");
        expected.put("12.3456785", "12.345679");
        expected.put("0.0000004999", "0");
        expected.put("1e-999999999", "0");
        expected.put("-0", "0");
        for (Map.Entry<String, String> budget : expected.entrySet()) {
            // when
            JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"a\",\"budget_usd\":" + budget.getKey() + "}");

            // then
            assertEquals(budget.getValue(), created.path("budget_usd").decimalValue().toPlainString(),
                    budget.getKey());
        }
    }

    @Test
    void keyFieldsBeyondTheirLimitsOrWithControlCharactersAre400NamingTheFieldAndCreateNothing() throws Exception {
        String tooLong = "n".repeat(VirtualKeys.MAX_NAME_LENGTH + 1);
        String tooLongTag = "t".repeat(VirtualKeys.MAX_TAG_LENGTH + 1);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"name\":\"" + tooLong + "\",\"owner_id\":\"a\"}", "name");
        cases.put("{\"name\":\"a\\u0000b\",\"owner_id\":\"a\"}", "name");
        cases.put("{\"name\":\"two\\nlines\",\"owner_id\":\"a\"}", "name");
        cases.put("{\"name\":\"half \\ud800 surrogate\",\"owner_id\":\"a\"}", "name");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"" + tooLong + "\"}", "owner_id");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"a\\rb\"}", "owner_id");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"a\",\"tags\":{\"env\":\"" + tooLongTag + "\"}}", "tags");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"a\",\"tags\":{\"" + tooLongTag + "\":\"x\"}}", "tags");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"a\",\"tags\":{\"e\\u0000nv\":\"x\"}}", "tags");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"a\",\"tags\":{\"env\":\"x\\u0007\"}}", "tags");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"a\",\"tags\":{\" \":\"x\"}}", "tags");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"a\",\"tags\":" + numbered(VirtualKeys.MAX_TAGS + 1, true) + "}",
                "tags");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"a\",\"allowed_providers\":"
                + numbered(VirtualKeys.MAX_PROVIDERS + 1, false) + "}", "allowed_providers");
        cases.put("{\"name\":\"ci\",\"owner_id\":\"a\",\"allowed_providers\":[\"open\\u0000ai\"]}",
                "allowed_providers");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            // when
            try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS), c.getKey(),
                    "authorization", MASTER)) {
                // then
                String shown = c.getKey().substring(0, Math.min(120, c.getKey().length()));
                assertEquals(400, response.code(), shown);
                JsonNode error = Gateway.json(response).path("error");
                assertEquals(c.getValue(), error.path("param").asText(), shown);
                assertFalse(error.path("message").asText().isBlank(), shown);
            }
        }
        assertEquals(0, list(VKEYS).path("data").size());
        // and a lookup by an owner no key can have is refused the same way
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, VKEYS + "/owner/a%0Ab"),
                "authorization", MASTER)) {
            assertEquals(400, response.code());
            assertEquals("owner_id", Gateway.json(response).at("/error/param").asText());
        }
    }

    @Test
    void keyFieldsAtTheirLimitsAreAccepted() throws Exception {
        // when
        String longest = "\uD83D\uDD11".repeat(VirtualKeys.MAX_NAME_LENGTH);
        JsonNode created = create("{\"name\":\"" + longest + "\",\"owner_id\":\"" + longest + "\",\"tags\":"
                + numbered(VirtualKeys.MAX_TAGS, true) + ",\"allowed_providers\":"
                + numbered(VirtualKeys.MAX_PROVIDERS, false) + ",\"budget_usd\":1e9}");

        // then
        assertEquals(longest, created.path("name").asText());
        assertEquals(VirtualKeys.MAX_TAGS, created.path("tags").size());
        assertEquals(VirtualKeys.MAX_PROVIDERS, created.path("allowed_providers").size());
        assertEquals(1, list(VKEYS + "/owner/" + longest).path("data").size());
    }

    /** A JSON object of {@code count} tags, or an array of {@code count} provider names. */
    private static String numbered(int count, boolean tags) {
        StringBuilder json = new StringBuilder(tags ? "{" : "[");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append(tags ? "\"t" + i + "\":\"v\"" : "\"p" + i + "\"");
        }
        return json.append(tags ? "}" : "]").toString();
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
