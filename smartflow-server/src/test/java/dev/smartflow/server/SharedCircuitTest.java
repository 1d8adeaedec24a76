package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.server.testing.RealServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways on one real Redis (see {@link RealServers}) share circuit breakers: the failures one of them sees open
 * the circuit the other then respects. Each run's targets carry a model name of their own, so their circuits are
 * keys no other test touches; they are deleted afterwards.
 */
class SharedCircuitTest {
    @TempDir
    Path data;

    @BeforeAll
    static void requireRedis() {
        RealServers.requireRedis("SharedCircuitTest");
    }

    @Test
    void failuresThroughOneGatewayOpenTheCircuitTheOtherSkips() throws Exception {
        // given: both declare the same chain, whose first target fails; two failures in a row open a circuit
        String run = UUID.randomUUID().toString().replace("-", "");
        Path file = data.resolve("smartflow.yaml");
        Files.writeString(file, """
                routing:
                  fallback_chains:
                    - name: shared
                      targets:
                        - {provider: openai, model: failing-%1$s}
                        - {provider: groq, model: healthy-%1$s}
                  circuit: {consecutive_failures: 2, open_seconds: 300}
                """.formatted(run));
        try (Upstream openai = new Upstream(); Upstream groq = new Upstream()) {
            openai.answer("/v1/chat/completions", Upstream.json(500, "{\"error\":{\"message\":\"boom\"}}"));
            Map<String, String> env = Map.of("SMARTFLOW_REDIS_URL", RealServers.REDIS,
                    "GROQ_API_KEY", "gsk-shared-circuit-0123456789", "GROQ_API_BASE", groq.base());
            Gateway first = new Gateway(openai, data.resolve("first"), Optional.of(file), env);
            Gateway second = null;
            try {
                second = new Gateway(openai, data.resolve("second"), Optional.of(file), env);
                for (int i = 0; i < 2; i++) {
                    try (Response served = chat(first)) {
                        assertEquals(200, served.code());
                        assertEquals("2", served.header("x-smartflow-attempts"));
                    }
                }
                assertEquals(2, openai.server.getRequestCount());

                // when
                try (Response served = chat(second)) {
                    // then: the second gateway never tried the target the first found failing
                    assertEquals(200, served.code());
                    assertEquals("groq", served.header("x-smartflow-provider"));
                    assertEquals("1", served.header("x-smartflow-attempts"));
                }
                assertEquals(2, openai.server.getRequestCount());
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
                RealServers.deleteRedisKeys(run);
            }
        }
    }

    private static Response chat(Gateway gateway) throws Exception {
        return gateway.post(gateway.proxy("/v1/chat/completions"), "{\"model\":\"shared\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "authorization", "Bearer " + Gateway.MASTER);
    }
}
