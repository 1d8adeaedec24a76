package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicesTest {
    @TempDir
    Path data;

    @Test
    void everyServiceListensAndAnswersHealth() throws Exception {
        try (Upstream upstream = new Upstream();
             Gateway gateway = new Gateway(upstream, data, Service.values())) {
            for (Service service : Service.values()) {
                try (Response response = gateway.get(gateway.url(service, "/health"))) {
                    assertEquals(200, response.code(), service.id());
                    assertEquals("ok", Gateway.json(response).path("status").asText(), service.id());
                }
            }
        }
    }

    @Test
    void bodiesOverTheSizeLimitGet413InOpenAiShapeAndNeverReachTheUpstream() throws Exception {
        try (Upstream upstream = new Upstream();
             Gateway gateway = new Gateway(upstream, data, Map.of("SMARTFLOW_MAX_REQUEST_BYTES", "2048"))) {
            String big = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + "x".repeat(4096) + "\"}]}";
            try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), big,
                    "authorization", "Bearer " + Gateway.MASTER)) {
                assertEquals(413, response.code());
                assertEquals("request_too_large", Gateway.json(response).at("/error/code").asText());
            }
            assertEquals(0, upstream.server.getRequestCount());
        }
    }

    @Test
    void wrongMethodGets405InOpenAiShape() throws Exception {
        try (Upstream upstream = new Upstream(); Gateway gateway = new Gateway(upstream, data)) {
            try (Response response = gateway.get(gateway.proxy("/v1/chat/completions"),
                    "authorization", "Bearer " + Gateway.MASTER)) {
                assertEquals(405, response.code());
                assertEquals("method_not_allowed", Gateway.json(response).at("/error/code").asText());
            }
        }
    }
}
