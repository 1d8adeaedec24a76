package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.YearMonth;
import java.time.ZoneOffset;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** Budgets and rate limits of virtual keys, over real HTTP: the 429s, their headers, and the admin routes. */
class BudgetsApiTest extends GatewayTest {
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MASTER = "Bearer " + Gateway.MASTER;
    private static final String VKEYS = "/api/enterprise/vkeys";


    @Test
    void callOverTheBudgetIsRefusedWith429AndNeverReachesTheUpstream() throws Exception {
        // given: $0.001, less than a gpt-4o-mini call without max_tokens could cost (4,096 tokens at $0.60/M)
        String token = create("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":0.001}").path("token")
                .asText();

        // when
        try (Response response = chat(token)) {
            // then
            assertEquals(429, response.code());
            assertEquals("true", response.header("X-Smartflow-Budget-Exceeded"));
            assertEquals("0.001000", response.header("X-Smartflow-Budget-Remaining"));
            JsonNode error = Gateway.json(response).path("error");
            assertEquals("budget_exceeded", error.path("type").asText());
            assertEquals("insufficient_quota", error.path("code").asText());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void requestOverTheRpmLimitIsRefusedWith429AndRetryAfter() throws Exception {
        // given
        String token = create("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"rpm_limit\":1}").path("token").asText();
        try (Response first = chat(token)) {
            assertEquals(200, first.code());
        }

        // when
        try (Response response = chat(token)) {
            // then
            assertEquals(429, response.code());
            long retryAfter = Long.parseLong(response.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
            assertEquals("1", response.header("x-ratelimit-limit-requests"));
            assertEquals("0", response.header("x-ratelimit-remaining-requests"));
            JsonNode error = Gateway.json(response).path("error");
            assertEquals("rate_limit_error", error.path("type").asText());
            assertEquals("rate_limit_exceeded", error.path("code").asText());
        }
        assertEquals(1, upstream.server.getRequestCount());
    }

    @Test
    void budgetRouteShowsTheSpendOfThePeriodAndResetStartsItAgain() throws Exception {
        // given: one call of 9 prompt + 3 completion tokens on gpt-4o-mini = 3.15 -> 3 micro-USD
        JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":1}");
        String id = created.path("key_id").asText();
        try (Response call = chat(created.path("token").asText())) {
            assertEquals(200, call.code());
        }

        // when
        JsonNode budget = get(VKEYS + "/" + id + "/budget").path("budget");

        // then
        assertEquals(id, budget.path("key_id").asText());
        assertEquals(1.0, budget.path("budget_usd").asDouble(), 1e-9);
        assertEquals(0.000003, budget.path("spent_usd").asDouble(), 1e-9);
        assertEquals(0.0, budget.path("reserved_usd").asDouble(), 1e-9);
        assertEquals(0.999997, budget.path("remaining_usd").asDouble(), 1e-9);
        assertEquals("monthly", budget.path("period").asText());
        assertEquals(YearMonth.now(ZoneOffset.UTC).toString(), budget.path("period_key").asText());

        // when
        try (Response reset = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS + "/" + id + "/reset"), "",
                "authorization", MASTER)) {
            // then
            assertEquals(200, reset.code());
            JsonNode answer = Gateway.json(reset);
            assertTrue(answer.path("success").asBoolean());
            assertEquals("Budget reset for key '" + id + "'", answer.path("message").asText());
            assertEquals(0.0, answer.at("/budget/spent_usd").asDouble(), 1e-9);
        }
        assertEquals(1.0, get(VKEYS + "/" + id + "/budget").at("/budget/remaining_usd").asDouble(), 1e-9);
    }

    @Test
    void resetBeforeTheSpendIsWrittenStaysResetAfterARestart() throws Exception {
        // given: a call's cost settled in the pipeline's ledger, not yet written to the database (it is written
        // behind the request, once a second)
        JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":1}");
        String id = created.path("key_id").asText();
        try (Response call = chat(created.path("token").asText())) {
            assertEquals(200, call.code());
        }
        assertEquals(0.000003, get(VKEYS + "/" + id + "/budget").at("/budget/spent_usd").asDouble(), 1e-9);

        // when: the management API resets the budget, then the gateway restarts (in-memory shared state: the budget
        // is seeded again from the database)
        reset(id);
        gateway.close();
        gateway = new Gateway(upstream, data);

        // then: the reset reached the ledger the call spent into, so the pending spend was dropped, not written after
        assertEquals(0.0, get(VKEYS + "/" + id + "/budget").at("/budget/spent_usd").asDouble(), 1e-9);
        assertEquals(1.0, get(VKEYS + "/" + id + "/budget").at("/budget/budget_usd").asDouble(), 1e-9);
    }

    @Test
    void streamedCallSettlesItsCostWhenTheStreamEnds() throws Exception {
        // given: the stream's usage chunk, which the gateway asks for on the caller's behalf, says 9 prompt + 2
        // completion tokens = 2.55 -> 3 micro-USD (without it the call would settle at its worst case)
        JsonNode created = create("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":1}");
        String id = created.path("key_id").asText();

        // when
        try (Response stream = gateway.post(gateway.proxy("/v1/chat/completions"),
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "authorization", "Bearer " + created.path("token").asText())) {
            assertEquals(200, stream.code());
            String text = stream.body().string();
            assertTrue(text.contains("[DONE]"));
            assertFalse(text.contains("\"usage\""), "the caller did not ask for the usage chunk");
        }

        // then: settled once the server has seen the end (a bounded poll: the last bytes may reach us first)
        JsonNode budget = get(VKEYS + "/" + id + "/budget").path("budget");
        for (int i = 0; i < 100 && budget.path("reserved_usd").asDouble() > 0; i++) {
            Thread.onSpinWait();
            budget = get(VKEYS + "/" + id + "/budget").path("budget");
        }
        assertEquals(0.000003, budget.path("spent_usd").asDouble(), 1e-9);
        assertEquals(0.0, budget.path("reserved_usd").asDouble(), 1e-9);
    }

    @Test
    void budgetOfAnUnknownKeyIs404() throws Exception {
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, VKEYS + "/key_missing/budget"),
                "authorization", MASTER)) {
            assertEquals(404, response.code());
        }
    }

    private JsonNode create(String body) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS), body,
                "authorization", MASTER)) {
            assertEquals(201, response.code());
            return Gateway.json(response);
        }
    }

    private JsonNode reset(String id) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, VKEYS + "/" + id + "/reset"), "",
                "authorization", MASTER)) {
            assertEquals(200, response.code());
            return Gateway.json(response);
        }
    }

    private JsonNode get(String path) throws IOException {
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, path), "authorization", MASTER)) {
            assertEquals(200, response.code());
            return Gateway.json(response);
        }
    }

    private Response chat(String token) throws IOException {
        return gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "authorization", "Bearer " + token);
    }
}
