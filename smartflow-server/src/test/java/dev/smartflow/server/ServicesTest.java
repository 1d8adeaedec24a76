package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
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
