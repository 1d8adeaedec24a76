package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.keys.VirtualKeys;
import java.io.IOException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class VirtualKeysApiTest extends GatewayTest {
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MASTER = "Bearer " + Gateway.MASTER;
    private static final String VKEYS = "/api/enterprise/vkeys";
    private static final String CREATED_MESSAGE =
            "Virtual key created. Store the token securely — it will not be shown again.";


    @Test
    void everyManagementRouteRejectsAMissingOrWrongMasterKeyWith401() throws Exception {
        // given
        JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"team-a\"}");
        String id = created.path("key_id").asText();
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
        assertEquals(1, list.path("keys").size());
        assertTrue(list.at("/keys/0/active").asBoolean());
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

        // then: the reference's fields, and the key's details under "key"
        assertEquals(List.of("success", "token", "key_id", "message", "key"), fieldNames(created));
        assertTrue(created.path("success").asBoolean());
        assertTrue(VirtualKeys.looksLikeToken(created.path("token").asText()));
        assertEquals(CREATED_MESSAGE, created.path("message").asText());
        JsonNode key = created.path("key");
        assertTrue(created.path("key_id").asText().startsWith("key_"));
        assertEquals(created.path("key_id").asText(), key.path("key_id").asText());
        assertEquals("ci", key.path("name").asText());
        assertEquals("team-a", key.path("owner_id").asText());
        assertEquals("[\"groq\",\"openai\"]", key.path("allowed_providers").toString());
        assertEquals("12.5", key.path("budget_usd").decimalValue().toPlainString());
        assertEquals("weekly", key.path("period").asText());
        assertEquals(10000, key.path("tpm_limit").asLong());
        assertEquals(60, key.path("rpm_limit").asLong());
        assertEquals("prod", key.at("/tags/env").asText());
        assertTrue(key.path("active").asBoolean());
        assertFalse(key.has("token_hash"));
        assertFalse(key.has("token"));
    }

    @Test
    void listingShowsMetadataAndNeverTheTokenOrItsHash() throws Exception {
        // given
        JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":5}");
        String token = created.path("token").asText();
        create("{\"name\":\"other\",\"owner_id\":\"team-b\"}");

        for (String path : List.of(VKEYS, VKEYS + "/owner/team-a", VKEYS + "/" + created.path("key_id").asText())) {
            // when
            try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, path), "authorization", MASTER)) {
                String body = response.body().string();

                // then
                assertEquals(200, response.code(), path);
                assertFalse(body.contains(token), path);
                assertFalse(body.contains(VirtualKeys.hash(token)), path);
                assertFalse(body.contains(token.substring(6)), path);
                assertTrue(body.contains(created.path("key_id").asText()), path);
            }
        }
        JsonNode all = list(VKEYS);
        assertEquals(2, all.path("keys").size());
        assertEquals("ci", all.at("/keys/0/name").asText());
        assertEquals(5, all.at("/keys/0/budget_usd").asInt());
        JsonNode owned = list(VKEYS + "/owner/team-b");
        assertEquals(1, owned.path("keys").size());
        assertEquals("other", owned.at("/keys/0/name").asText());
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
                VKEYS + "/" + created.path("key_id").asText() + "/revoke"), "{}", "authorization", MASTER)) {
            assertEquals(200, revoked.code());
            assertFalse(Gateway.json(revoked).at("/key/active").asBoolean());
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
        assertEquals(1, list(VKEYS).path("keys").size());
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
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"provider\":[\"openai\"]}", "provider"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"provider\":\" \"}", "provider"},
                new String[] {"{\"name\":\"ci\",\"owner_id\":\"a\",\"provider\":\"openai\","
                        + "\"allowed_providers\":[\"groq\"]}", "provider"},
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
        assertEquals(0, list(VKEYS).path("keys").size());
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
        assertEquals(0, list(VKEYS).path("keys").size());
    }

    @Test
    void budgetsAreExactDecimalsRoundedToTheMicroDollar() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("0.1", "0.1");
        expected.put("1000000000", "1000000000.0");
        expected.put("1000000000.0000000", "1000000000.0");
        expected.put("12.3456785", "12.345679");
        expected.put("0.0000004999", "0.0");
        expected.put("1e-999999999", "0.0");
        expected.put("-0", "0.0");
        expected.put("5E+1", "50.0");
        expected.put("0.000001", "0.000001");
        for (Map.Entry<String, String> budget : expected.entrySet()) {
            // when
            String created = createRaw("{\"name\":\"ci\",\"owner_id\":\"a\",\"budget_usd\":" + budget.getKey() + "}");

            // then: as written in the JSON text, a plain decimal
            assertTrue(created.contains("\"budget_usd\":" + budget.getValue() + ","), budget.getKey() + ": " + created);
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
        assertEquals(0, list(VKEYS).path("keys").size());
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
        assertEquals(longest, created.at("/key/name").asText());
        assertEquals(VirtualKeys.MAX_TAGS, created.at("/key/tags").size());
        assertEquals(VirtualKeys.MAX_PROVIDERS, created.at("/key/allowed_providers").size());
        assertEquals(1, list(VKEYS + "/owner/" + longest).path("keys").size());
    }

    @Test
    void theReferencesQuickStartCreatesChecksSpendByTokenAndRevokesByToken() throws Exception {
        // given: "Create a key with a $50/month budget", as the reference writes it
        String createdText = createRaw("""
                {
                "name": "my-app-prod",
                "owner_id": "alice@example.com",
                "budget_usd": 50.0,
                "period": "monthly"
                }""");
        JsonNode created = Gateway.JSON.readTree(createdText);
        assertTrue(created.path("success").asBoolean());
        String token = created.path("token").asText();
        String keyId = created.path("key_id").asText();
        assertTrue(VirtualKeys.looksLikeToken(token), token);
        assertEquals(CREATED_MESSAGE, created.path("message").asText());
        assertTrue(createdText.contains("\"budget_usd\":50.0,"), createdText);

        // when: "Check spend", by the token
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, VKEYS + "/" + token + "/budget"),
                "authorization", MASTER)) {
            String text = response.body().string();

            // then
            assertEquals(200, response.code(), text);
            assertFalse(text.contains(token.substring(VirtualKeys.PREFIX.length())), text);
            assertTrue(text.contains("\"budget_usd\":50.0,"), text);
            assertTrue(text.contains("\"spent_usd\":0.0,"), text);
            assertTrue(text.contains("\"remaining_usd\":50.0,"), text);
            assertTrue(text.contains("\"percent_used\":0.0,"), text);
            JsonNode answer = Gateway.JSON.readTree(text);
            assertTrue(answer.path("success").asBoolean());
            assertEquals(keyId, answer.at("/budget/key_id").asText());
            assertEquals("my-app-prod", answer.at("/budget/name").asText());
            assertEquals("monthly", answer.at("/budget/period").asText());
        }

        // when: "Revoke", by the token
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS + "/" + token + "/revoke"), "",
                "authorization", MASTER)) {
            String text = response.body().string();

            // then
            assertEquals(200, response.code(), text);
            assertFalse(text.contains(token.substring(VirtualKeys.PREFIX.length())), text);
            JsonNode answer = Gateway.JSON.readTree(text);
            assertTrue(answer.path("success").asBoolean());
            assertEquals("Virtual key '" + keyId + "' revoked", answer.path("message").asText());
        }
        // and the key is dead at the proxy: 401, which OpenAI's SDKs do not retry (the reference's 429 they would)
        try (Response after = chat(token)) {
            assertEquals(401, after.code());
        }
        assertFalse(list(VKEYS).at("/keys/0/active").asBoolean());
    }

    @Test
    void listsShowEveryFieldOfTheReferenceAndNothingSecret() throws Exception {
        // given
        JsonNode full = create("""
                {"name":"team-alpha-prod","owner_id":"alice@example.com","provider":"OpenAI","budget_usd":100.00,
                 "period":"monthly","tpm_limit":100000,"rpm_limit":60,"tags":{"team":"alpha","env":"prod"}}""");
        JsonNode bare = create("{\"name\":\"bare\",\"owner_id\":\"alice@example.com\",\"provider\":null,"
                + "\"period\":\"lifetime\"}");
        create("{\"name\":\"daily\",\"owner_id\":\"bob\",\"period\":\"daily\"}");
        create("{\"name\":\"weekly\",\"owner_id\":\"bob\",\"period\":\"weekly\"}");

        for (String path : List.of(VKEYS, VKEYS + "/owner/alice@example.com")) {
            // when
            String text;
            try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, path), "authorization", MASTER)) {
                text = response.body().string();
                assertEquals(200, response.code(), text);
            }
            JsonNode listed = Gateway.JSON.readTree(text);

            // then
            assertEquals(List.of("success", "total", "keys"), fieldNames(listed), path);
            assertTrue(listed.path("success").asBoolean(), path);
            assertEquals(listed.path("keys").size(), listed.path("total").asInt(), path);
            for (JsonNode created : List.of(full, bare)) {
                assertFalse(text.contains(created.path("token").asText().substring(VirtualKeys.PREFIX.length())));
                assertFalse(text.contains(VirtualKeys.hash(created.path("token").asText())));
            }
            assertTrue(text.contains("\"budget_usd\":100.0,"), text);
            JsonNode first = listed.at("/keys/0");
            assertEquals(List.of("key_id", "name", "owner_id", "active", "budget_usd", "period", "period_start",
                    "tpm_limit", "rpm_limit", "created_at", "last_used", "tags", "allowed_providers"),
                    fieldNames(first), path);
            assertEquals(full.path("key_id").asText(), first.path("key_id").asText());
            assertEquals("team-alpha-prod", first.path("name").asText());
            assertEquals("alice@example.com", first.path("owner_id").asText());
            assertTrue(first.path("active").asBoolean());
            assertEquals("100.0", first.path("budget_usd").decimalValue().toPlainString());
            assertEquals("monthly", first.path("period").asText());
            assertEquals(100000, first.path("tpm_limit").asLong());
            assertEquals(60, first.path("rpm_limit").asLong());
            assertTrue(first.path("last_used").isNull());
            assertEquals("{\"env\":\"prod\",\"team\":\"alpha\"}", first.path("tags").toString());
            assertEquals("[\"openai\"]", first.path("allowed_providers").toString());
            Instant createdAt = Instant.parse(first.path("created_at").asText());
            ZonedDateTime monthStart = Instant.parse(first.path("period_start").asText()).atZone(ZoneOffset.UTC);
            assertEquals(1, monthStart.getDayOfMonth(), monthStart.toString());
            assertEquals(LocalTime.MIDNIGHT, monthStart.toLocalTime(), monthStart.toString());
            assertTrue(Duration.between(monthStart.toInstant(), createdAt).abs().toDays() <= 31, monthStart.toString());

            JsonNode second = listed.at("/keys/1");
            assertEquals("bare", second.path("name").asText());
            for (String absent : List.of("budget_usd", "tpm_limit", "rpm_limit", "last_used")) {
                assertTrue(second.path(absent).isNull(), absent);
            }
            assertEquals("lifetime", second.path("period").asText());
            assertEquals(second.path("created_at").asText(), second.path("period_start").asText(),
                    "a lifetime budget began when the key was made");
            assertEquals("{}", second.path("tags").toString());
            assertEquals("[]", second.path("allowed_providers").toString(), "provider null: any provider");
        }
        JsonNode all = list(VKEYS);
        assertEquals(4, all.path("total").asInt());
        ZonedDateTime dayStart = Instant.parse(all.at("/keys/2/period_start").asText()).atZone(ZoneOffset.UTC);
        assertEquals(LocalTime.MIDNIGHT, dayStart.toLocalTime());
        assertTrue(Duration.between(dayStart.toInstant(), Instant.parse(all.at("/keys/2/created_at").asText()))
                .abs().toDays() <= 1);
        ZonedDateTime weekStart = Instant.parse(all.at("/keys/3/period_start").asText()).atZone(ZoneOffset.UTC);
        assertEquals(DayOfWeek.MONDAY, weekStart.getDayOfWeek());
        assertEquals(LocalTime.MIDNIGHT, weekStart.toLocalTime());
        JsonNode bobs = list(VKEYS + "/owner/bob");
        assertEquals(2, bobs.path("total").asInt());
        assertEquals(List.of("daily", "weekly"), List.of(bobs.at("/keys/0/name").asText(),
                bobs.at("/keys/1/name").asText()));
    }

    @Test
    void budgetShowsTheReferencesFieldsWithSpendAsPlainDecimals() throws Exception {
        // given: 10 micro-USD; a call of 9 prompt + 3 completion tokens on gpt-4o-mini costs 3 (its worst case
        // with max_tokens 1 fits the budget)
        JsonNode created = create("{\"name\":\"tiny\",\"owner_id\":\"team-a\",\"budget_usd\":0.00001}");
        String token = created.path("token").asText();
        try (Response call = gateway.post(gateway.proxy("/v1/chat/completions"),
                "{\"model\":\"gpt-4o-mini\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "authorization", "Bearer " + token)) {
            assertEquals(200, call.code(), call.body().string());
        }
        // last use is recorded behind the request: a bounded wait for it
        String text = budgetText(created.path("key_id").asText());
        for (int i = 0; i < 200 && Gateway.JSON.readTree(text).at("/budget/last_used").isNull(); i++) {
            Thread.onSpinWait();
            text = budgetText(created.path("key_id").asText());
        }

        // then
        JsonNode answer = Gateway.JSON.readTree(text);
        assertEquals(List.of("success", "budget"), fieldNames(answer));
        assertTrue(answer.path("success").asBoolean());
        JsonNode budget = answer.path("budget");
        assertEquals(List.of("key_id", "name", "active", "budget_usd", "period", "spent_usd", "remaining_usd",
                "percent_used", "last_used", "reserved_usd", "period_key", "period_start"), fieldNames(budget));
        assertEquals(created.path("key_id").asText(), budget.path("key_id").asText());
        assertEquals("tiny", budget.path("name").asText());
        assertTrue(budget.path("active").asBoolean());
        assertEquals("monthly", budget.path("period").asText());
        Instant.parse(budget.path("last_used").asText());
        assertTrue(text.contains("\"budget_usd\":0.00001,"), text);
        assertTrue(text.contains("\"spent_usd\":0.000003,"), text);
        assertTrue(text.contains("\"remaining_usd\":0.000007,"), text);
        assertTrue(text.contains("\"percent_used\":30.0,"), text);
        assertTrue(text.contains("\"reserved_usd\":0.0,"), text);
        assertFalse(text.contains("E-") || text.contains("E+"), text);

        // and: an unlimited key has no budget, remaining or percentage
        JsonNode unlimited = create("{\"name\":\"free\",\"owner_id\":\"team-a\"}");
        JsonNode free = Gateway.JSON.readTree(budgetText(unlimited.path("key_id").asText())).path("budget");
        for (String absent : List.of("budget_usd", "remaining_usd", "percent_used", "last_used")) {
            assertTrue(free.path(absent).isNull(), absent);
        }
        assertEquals("0.0", free.path("spent_usd").decimalValue().toPlainString());
    }

    @Test
    void everyKeyRouteFindsTheKeyByItsTokenAndNeverEchoesIt() throws Exception {
        // given
        JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":1}");
        String token = created.path("token").asText();
        String keyId = created.path("key_id").asText();

        for (String[] route : List.of(new String[] {"GET", ""}, new String[] {"GET", "/budget"},
                new String[] {"POST", "/reset"}, new String[] {"POST", "/revoke"})) {
            // when
            try (Response response = call(route[0], VKEYS + "/" + token + route[1], "", new String[] {
                    "authorization", MASTER})) {
                String text = response.body().string();

                // then
                assertEquals(200, response.code(), route[0] + " " + route[1] + ": " + text);
                assertFalse(text.contains(token.substring(VirtualKeys.PREFIX.length())), text);
                assertTrue(text.contains("'" + keyId + "'") || text.contains("\"key_id\":\"" + keyId + "\""), text);
            }
        }
        try (Response response = call("POST", VKEYS + "/" + token + "/reset", "", new String[] {
                "authorization", MASTER})) {
            assertEquals("Budget reset for key '" + keyId + "'", Gateway.json(response).path("message").asText());
        }
        assertFalse(list(VKEYS).at("/keys/0/active").asBoolean(), "revoked by its token");
    }

    @Test
    void anUnknownIdOrTokenIs404OnEveryKeyRouteAndNoTokenIsEchoed() throws Exception {
        // given: a key that exists, so that a miss is not for want of any key
        create("{\"name\":\"ci\",\"owner_id\":\"team-a\"}");
        String unknownToken = VirtualKeys.PREFIX + "0123456789abcdef".repeat(3);
        String mistyped = VirtualKeys.PREFIX + "0123456789abcdefXYZ";
        assertTrue(VirtualKeys.looksLikeToken(unknownToken));

        for (String given : List.of("key_nope", unknownToken, mistyped, unknownToken.toUpperCase(Locale.ROOT))) {
            for (String[] route : List.of(new String[] {"GET", ""}, new String[] {"GET", "/budget"},
                    new String[] {"POST", "/reset"}, new String[] {"POST", "/revoke"})) {
                // when
                try (Response response = call(route[0], VKEYS + "/" + given + route[1], "", new String[] {
                        "authorization", MASTER})) {
                    String text = response.body().string();

                    // then
                    String what = given + " " + route[0] + " " + route[1] + ": " + text;
                    assertEquals(404, response.code(), what);
                    JsonNode error = Gateway.JSON.readTree(text).path("error");
                    assertEquals("key_not_found", error.path("code").asText(), what);
                    assertFalse(error.path("message").asText().isBlank(), what);
                    if (given.regionMatches(true, 0, VirtualKeys.PREFIX, 0, VirtualKeys.PREFIX.length())) {
                        assertFalse(text.contains(given.substring(VirtualKeys.PREFIX.length(), 20)), what);
                    }
                }
            }
        }
        assertTrue(list(VKEYS).at("/keys/0/active").asBoolean(), "nothing was revoked");
    }

    @Test
    void providerNullMeansAnyAndOneNameLimitsTheKeyToIt() throws Exception {
        // given
        String any = create("{\"name\":\"any\",\"owner_id\":\"a\",\"provider\":null}").path("token").asText();
        String groq = create("{\"name\":\"groq\",\"owner_id\":\"a\",\"provider\":\"groq\"}").path("token")
                .asText();

        // when
        try (Response anyAnswer = chat(any); Response groqAnswer = chat(groq)) {
            // then
            assertEquals(200, anyAnswer.code());
            assertEquals(403, groqAnswer.code());
            assertEquals("provider_not_allowed", Gateway.json(groqAnswer).at("/error/code").asText());
        }
    }

    private String budgetText(String key) throws IOException {
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, VKEYS + "/" + key + "/budget"),
                "authorization", MASTER)) {
            String text = response.body().string();
            assertEquals(200, response.code(), text);
            return text;
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
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
        return Gateway.JSON.readTree(createRaw(body));
    }

    /** The answer to create as the JSON text the server wrote. */
    private String createRaw(String body) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS), body,
                "authorization", MASTER)) {
            String text = response.body().string();
            assertEquals(201, response.code(), text);
            return text;
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
