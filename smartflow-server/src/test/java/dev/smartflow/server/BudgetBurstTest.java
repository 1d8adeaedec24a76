package dev.smartflow.server;

import static dev.smartflow.server.Audits.await;
import static dev.smartflow.server.Audits.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A burst of 200 concurrent calls against one key whose budget covers about 50: spend never passes the budget, the
 * rest are refused with 429, and the audit log holds every one of the 200 calls with the status it got.
 */
class BudgetBurstTest extends GatewayTest {
    /** Prices of $100 per million tokens either way: each token costs 100 micro-USD. */
    static final String PRICES = """
            {"version": "test", "models": [{"provider": "openai", "model": "gpt-4o-mini",
              "input_per_1m": 100.00, "output_per_1m": 100.00}]}""";
    /**
     * The upstream reports 9 + 3 tokens: 1,200 micro-USD a call. The worst case reserved first is the body's bytes / 4
     * plus max_tokens: (85 + 3) / 4 + 3 = 25 tokens, 2,500 micro-USD.
     */
    static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hello\"}]}";
    static final long COST_MICROS = 1_200;
    static final long BUDGET_MICROS = 60_000;
    static final int CALLS = 200;

    static Map<String, String> pricedEnvironment(Path data) throws IOException {
        Path prices = data.resolve("prices.json");
        Files.writeString(prices, PRICES);
        return Map.of("SMARTFLOW_CATALOG_FILE", prices.toString());
    }

    @Test
    void spendStaysWithinTheBudgetAndTheAuditLogHoldsEveryCall() throws Exception {
        // given
        gateway.close();
        gateway = new Gateway(upstream, data, pricedEnvironment(data));
        JsonNode key = createKey(gateway, "{\"name\":\"burst\",\"owner_id\":\"team-a\",\"budget_usd\":0.06}");

        // when: 200 calls at once
        Map<String, Integer> statuses = burst(List.of(gateway), key.path("token").asText(), "burst-");

        // then: between 24 (worst cases alone fill the budget) and 50 (actual costs fill it) calls were served
        long served = statuses.values().stream().filter(s -> s == 200).count();
        long refused = statuses.values().stream().filter(s -> s == 429).count();
        assertEquals(CALLS, served + refused, "every call was served or refused for budget: " + statuses);
        assertTrue(served >= BUDGET_MICROS / 2_500 && served <= BUDGET_MICROS / COST_MICROS, "served " + served);
        assertTrue(refused > 0);
        assertEquals(served, upstream.server.getRequestCount(), "refused calls never reach the upstream");
        JsonNode budget = budget(gateway, key.path("key_id").asText());
        assertEquals(BigDecimal.valueOf(served * COST_MICROS, 6).stripTrailingZeros(),
                budget.path("spent_usd").decimalValue().stripTrailingZeros());
        assertTrue(served * COST_MICROS <= BUDGET_MICROS);
        assertEquals(0, budget.path("reserved_usd").decimalValue().signum());

        // and: exactly 200 records, each with the status its call got
        String query = "key=" + key.path("key_id").asText() + "&limit=1000";
        await(() -> entries(gateway, query).size() == CALLS, "the 200 calls are logged");
        assertLogged(entries(gateway, query), statuses);
    }

    /** Each call's record carries its status; served calls their tokens and cost, refused ones the budget error. */
    static void assertLogged(Map<String, JsonNode> logged, Map<String, Integer> statuses) {
        assertEquals(statuses.keySet(), logged.keySet());
        statuses.forEach((id, status) -> {
            JsonNode entry = logged.get(id);
            assertEquals(status.intValue(), entry.path("status").asInt(), id);
            if (status == 200) {
                assertEquals(9, entry.path("prompt_tokens").asLong(), id);
                assertEquals(3, entry.path("completion_tokens").asLong(), id);
                assertEquals(0, BigDecimal.valueOf(COST_MICROS, 6).compareTo(entry.path("cost_usd").decimalValue()));
                assertTrue(entry.path("error").isNull(), id);
            } else {
                assertEquals("insufficient_quota", entry.path("error").asText(), id);
                assertEquals(0, entry.path("cost_usd").decimalValue().signum(), id);
            }
        });
    }

    /** 200 calls at once, spread over {@code gateways}; each call's status by its request id. */
    static Map<String, Integer> burst(List<Gateway> gateways, String token, String idPrefix) throws Exception {
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                String id = idPrefix + i;
                Gateway gateway = gateways.get(i % gateways.size());
                calls.add(threads.submit(() -> {
                    try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT,
                            "authorization", "Bearer " + token, "x-request-id", id)) {
                        String body = response.body().string();
                        if (response.code() == 429) {
                            assertEquals("budget_exceeded",
                                    Gateway.JSON.readTree(body).path("error").path("type").asText(), body);
                        }
                        statuses.put(id, response.code());
                    }
                    return null;
                }));
            }
            for (Future<?> call : calls) {
                call.get(60, TimeUnit.SECONDS);
            }
        }
        return statuses;
    }

    static JsonNode createKey(Gateway gateway, String body) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"), body,
                "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(201, response.code());
            return Gateway.json(response);
        }
    }

    static JsonNode budget(Gateway gateway, String keyId) throws IOException {
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys/" + keyId
                + "/budget"), "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, response.code());
            return Gateway.json(response).path("budget");
        }
    }
}
