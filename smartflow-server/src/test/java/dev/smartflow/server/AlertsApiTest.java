package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook alerts through a real gateway: {@code POST /api/alerts} and the rules fed by real calls. */
class AlertsApiTest extends GatewayTest {
    private static final String MASTER = "Bearer " + Gateway.MASTER;
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private final MockWebServer slack = new MockWebServer();

    @BeforeEach
    void startReceiver() throws IOException {
        slack.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        slack.start();
    }

    @AfterEach
    void stopReceiver() {
        slack.close();
    }

    /** Replaces the default gateway with one whose alerts go to the Slack receiver. */
    private void alertingGateway(Map<String, String> extra) {
        gateway.close();
        Map<String, String> env = new HashMap<>(Map.of("SMARTFLOW_ALERTS_ENABLED", "true",
                "SLACK_WEBHOOK_URL", webhook()));
        env.putAll(extra);
        gateway = new Gateway(upstream, data.resolve("alerting"), env);
    }

    private String webhook() {
        return slack.url("/services/T0001/B0001/s3cr3tT0k3n").toString();
    }

    private Response postAlert(String body) throws IOException {
        return gateway.post(gateway.url(Service.MANAGEMENT, "/api/alerts"), body, "authorization", MASTER);
    }

    private JsonNode nextSlackPost() throws Exception {
        RecordedRequest request = slack.takeRequest(10, TimeUnit.SECONDS);
        assertNotNull(request, "no alert reached the Slack webhook");
        return Gateway.JSON.readTree(request.getBody().utf8());
    }

    private static String title(JsonNode slackBody) {
        return slackBody.path("blocks").get(0).path("text").path("text").asText();
    }

    @Test
    void aCustomAlertIsAcceptedAndPostedToSlack() throws Exception {
        // given
        alertingGateway(Map.of());

        // when
        try (Response response = postAlert("{\"title\":\"Deploy finished\",\"message\":\"gateway 1.4 is live\","
                + "\"severity\":\"info\"}")) {
            // then
            assertEquals(202, response.code());
            assertEquals("queued", Gateway.json(response).path("status").asText());
        }
        JsonNode body = nextSlackPost();
        assertEquals(":information_source: Deploy finished", title(body));
        assertEquals("gateway 1.4 is live", body.path("blocks").get(1).path("text").path("text").asText());
    }

    @Test
    void theSameCustomAlertAgainWithinTheWindowIsSuppressed() throws Exception {
        // given
        alertingGateway(Map.of());
        String alert = "{\"title\":\"Disk\",\"message\":\"node-3 full\",\"severity\":\"critical\"}";
        try (Response first = postAlert(alert)) {
            assertEquals(202, first.code());
        }

        // when
        try (Response second = postAlert(alert)) {
            // then
            assertEquals(202, second.code());
            assertEquals("suppressed", Gateway.json(second).path("status").asText());
        }
        nextSlackPost();
        try (Response status = gateway.get(gateway.url(Service.MANAGEMENT, "/api/alerts"), "authorization", MASTER)) {
            JsonNode deliveries = Gateway.json(status).path("deliveries");
            assertEquals(1, deliveries.path("queued").asLong());
            assertEquals(1, deliveries.path("suppressed").asLong());
        }
    }

    @Test
    void aBadAlertBodyIsRefusedWith400AndSendsNothing() throws Exception {
        // given
        alertingGateway(Map.of());

        // when / then
        for (String[] bad : new String[][] {
            {"not json", "invalid_json", null},
            {"[1,2]", "invalid_request", null},
            {"{\"message\":\"m\"}", "invalid_request", "title"},
            {"{\"title\":\"t\",\"message\":\"  \"}", "invalid_request", "message"},
            {"{\"title\":\"t\",\"message\":42}", "invalid_request", "message"},
            {"{\"title\":\"t\",\"message\":\"m\",\"severity\":\"panic\"}", "invalid_request", "severity"},
            {"{\"title\":\"" + "t".repeat(257) + "\",\"message\":\"m\"}", "invalid_request", "title"},
        }) {
            try (Response response = postAlert(bad[0])) {
                assertEquals(400, response.code(), bad[0]);
                JsonNode error = Gateway.json(response).path("error");
                assertEquals("invalid_request_error", error.path("type").asText());
                assertEquals(bad[1], error.path("code").asText());
                assertEquals(bad[2] == null ? "" : bad[2], error.path("param").asText(""), bad[0]);
            }
        }
        assertEquals(0, slack.getRequestCount());
    }

    @Test
    void sendingAnAlertNeedsTheMasterKey() throws Exception {
        alertingGateway(Map.of());

        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, "/api/alerts"),
                "{\"title\":\"t\",\"message\":\"m\"}")) {
            assertEquals(401, response.code());
        }
        assertEquals(0, slack.getRequestCount());
    }

    @Test
    void withAlertsOffACustomAlertIsRefusedWith409() throws Exception {
        // the default gateway has no alerts configured
        try (Response response = postAlert("{\"title\":\"t\",\"message\":\"m\"}")) {
            assertEquals(409, response.code());
            assertEquals("alerts_disabled", Gateway.json(response).path("error").path("code").asText());
        }
    }

    @Test
    void theAlertStatusNamesChannelsButNeverTheirUrls() throws Exception {
        alertingGateway(Map.of());

        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, "/api/alerts"), "authorization",
                MASTER)) {
            String body = response.body().string();
            assertEquals(200, response.code());
            JsonNode status = Gateway.JSON.readTree(body);
            assertTrue(status.path("enabled").asBoolean());
            assertEquals("slack", status.path("channels").get(0).asText());
            assertFalse(body.contains("s3cr3t"));
        }
    }

    @Test
    void failingUpstreamCallsRaiseProviderFailure() throws Exception {
        // given: 50% errors over at least 2 calls
        alertingGateway(Map.of("SMARTFLOW_ALERTS_ERROR_MIN_REQUESTS", "2", "SMARTFLOW_ALERTS_ERROR_RATE", "0.5"));
        upstream.answer("/v1/chat/completions", Upstream.json(500,
                "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":null}}"));

        // when
        for (int i = 0; i < 2; i++) {
            try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT,
                    "authorization", MASTER)) {
                assertEquals(502, response.code());
            }
        }

        // then
        JsonNode body = nextSlackPost();
        assertEquals(":rotating_light: Provider openai failing: 100% of calls", title(body));
        assertTrue(body.path("blocks").get(3).path("elements").get(0).path("text").asText()
                .startsWith("Smartflow · ProviderFailure · critical"));
    }

    @Test
    void aSlowCallRaisesSlowRequest() throws Exception {
        // given: a threshold every call reaches
        alertingGateway(Map.of("SMARTFLOW_ALERTS_SLOW_REQUEST", "1ms"));

        // when
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "authorization", MASTER)) {
            assertEquals(200, response.code());
        }

        // then
        assertTrue(title(nextSlackPost()).startsWith(":warning: Slow request: openai/gpt-4o-mini took "));
    }
}
