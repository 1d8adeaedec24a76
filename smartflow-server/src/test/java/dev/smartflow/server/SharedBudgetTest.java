package dev.smartflow.server;

import static dev.smartflow.server.Audits.await;
import static dev.smartflow.server.Audits.entries;
import static dev.smartflow.server.BudgetBurstTest.BUDGET_MICROS;
import static dev.smartflow.server.BudgetBurstTest.CALLS;
import static dev.smartflow.server.BudgetBurstTest.COST_MICROS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.server.testing.RealServers;
import dev.smartflow.store.sql.SqlDatabase;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways on one real Redis and one real PostgreSQL (see {@link RealServers}) enforce one budget: a burst of 200
 * calls spread over both never spends past it, and the shared audit log holds all 200. Keys it leaves in Redis are
 * deleted afterwards; its tables live in a schema of its own.
 */
class SharedBudgetTest {
    private static String schema;

    @TempDir
    Path data;

    @BeforeAll
    static void requireServers() {
        RealServers.requireRedis("SharedBudgetTest");
        schema = RealServers.postgresSchema("SharedBudgetTest");
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        RealServers.dropSchema(schema);
    }

    @Test
    void twoGatewaysOnOneRedisAndOneDatabaseEnforceOneBudget() throws Exception {
        // given
        Map<String, String> env = new HashMap<>(BudgetBurstTest.pricedEnvironment(data));
        env.put("SMARTFLOW_REDIS_URL", RealServers.REDIS);
        env.put("SMARTFLOW_DATABASE_URL", RealServers.postgresUrl(schema, "sf-shared-budget"));
        List<Gateway> running = new ArrayList<>();
        String keyId = null;
        try (Upstream upstream = new Upstream()) {
            Gateway first = new Gateway(upstream, data.resolve("first"), env);
            running.add(first);
            Gateway second = new Gateway(upstream, data.resolve("second"), env);
            running.add(second);
            JsonNode key = BudgetBurstTest.createKey(first, "{\"name\":\"shared\",\"owner_id\":\"team-a\","
                    + "\"budget_usd\":0.06}");
            keyId = key.path("key_id").asText();

            // when: 200 calls at once, alternating between the gateways
            Map<String, Integer> statuses = BudgetBurstTest.burst(List.of(first, second), key.path("token").asText(),
                    "shared-");

            // then
            long served = statuses.values().stream().filter(s -> s == 200).count();
            long refused = statuses.values().stream().filter(s -> s == 429).count();
            assertEquals(CALLS, served + refused, statuses.toString());
            assertTrue(served >= BUDGET_MICROS / 2_500 && served <= BUDGET_MICROS / COST_MICROS, "served " + served);
            assertEquals(served, upstream.server.getRequestCount());
            BigDecimal spent = BigDecimal.valueOf(served * COST_MICROS, 6);
            String id = keyId;
            JsonNode firstView = BudgetBurstTest.budget(first, id);
            assertEquals(0, spent.compareTo(firstView.path("spent_usd").decimalValue()));
            assertEquals(0, spent.compareTo(BudgetBurstTest.budget(second, id).path("spent_usd").decimalValue()));
            String query = "key=" + id + "&limit=1000";
            await(() -> entries(second, query).size() == CALLS, "both gateways' records are in the one log");
            BudgetBurstTest.assertLogged(entries(first, query), statuses);

            // and: once both have shut down, the durable spend is the same total
            running.forEach(Gateway::close);
            running.clear();
            try (SqlDatabase database = SqlDatabase.postgres(RealServers.postgresUrl(schema, "sf-check"))) {
                assertEquals(served * COST_MICROS, database.keys().spend(KeyId.of(id),
                        firstView.path("period_key").asText()));
            }
        } finally {
            running.forEach(Gateway::close);
            if (keyId != null) {
                RealServers.deleteRedisKeys(keyId);
            }
        }
    }
}
