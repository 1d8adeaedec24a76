package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests the web server refuses before any route runs, sent over raw sockets (HTTP clients refuse to send them),
 * and errors raised before a handler picks its shape: every one is JSON in the shape of its path.
 */
class WebServerErrorsTest extends GatewayTest {
    @BeforeEach
    void everyServiceWithAnthropic() {
        gateway.close();
        gateway = new Gateway(upstream, data, Map.of("ANTHROPIC_API_KEY", Gateway.ANTHROPIC_KEY,
                "ANTHROPIC_API_BASE", upstream.anthropicBase()), Service.values());
    }

    @Test
    void everyServiceAnswersRequestsJettyRefusesWithOpenAisJsonErrorShape() throws Exception {
        Map<String, Integer> refused = new LinkedHashMap<>();
        refused.put("GET /v1/chat%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        refused.put("GET /v1/x%FF HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        refused.put("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
        refused.put("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n", 431);
        refused.put("GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n", 400);
        refused.put("GET /health HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n", 400);
        refused.put("GET /health HTTP/7.3\r\nHost: x\r\n\r\n", 505);
        refused.put("GET /health HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400);
        refused.put("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400);
        refused.put("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400);
        for (Service service : Service.values()) {
            for (Map.Entry<String, Integer> request : refused.entrySet()) {
                // when
                RawHttp.Answer answer = RawHttp.send(gateway.server.port(service), request.getKey());

                // then
                String what = service + " " + shorten(request.getKey());
                assertEquals(request.getValue(), answer.status(), what + ": " + answer.body());
                assertEquals("application/json", answer.header("content-type").orElse(""), what);
                JsonNode error = Gateway.JSON.readTree(answer.body()).path("error");
                assertFalse(error.path("message").asText().isBlank(), what + ": " + answer.body());
                assertEquals(answer.status() < 500 ? "invalid_request_error" : "server_error",
                        error.path("type").asText(), what);
                assertTrue(error.has("param") && error.has("code"), what + ": " + answer.body());
            }
        }
    }

    @Test
    void errorsOnAnthropicPathsBeforeAnyHandlerUseAnthropicsShape() throws Exception {
        Map<String, Integer> requests = new LinkedHashMap<>();
        requests.put("GET /anthropic/v1/messages HTTP/1.1\r\nHost: x\r\n\r\n", 405);
        requests.put("GET /cursor/v1/messages/count_tokens HTTP/1.1\r\nHost: x\r\n\r\n", 405);
        requests.put("POST /anthropic/v1/nope HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 404);
        requests.put("POST /cursor/v1/nope HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 404);
        requests.put("POST /anthropic/v1/messages HTTP/1.1\r\nHost: x\r\nX-Bad: \u0007\r\n\r\n", 400);
        requests.put("GET /anthropic/v1/x%FF HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        for (Map.Entry<String, Integer> request : requests.entrySet()) {
            // when
            RawHttp.Answer answer = RawHttp.send(gateway.server.port(Service.PROXY), request.getKey());

            // then
            String what = shorten(request.getKey());
            assertEquals(request.getValue(), answer.status(), what + ": " + answer.body());
            assertEquals("application/json", answer.header("content-type").orElse(""), what);
            JsonNode body = Gateway.JSON.readTree(answer.body());
            assertEquals("error", body.path("type").asText(), what + ": " + answer.body());
            assertEquals(request.getValue() == 404 ? "not_found_error" : "invalid_request_error",
                    body.at("/error/type").asText(), what + ": " + answer.body());
            assertFalse(body.at("/error/message").asText().isBlank(), what);
        }
        // and the OpenAI routes beside them keep OpenAI's
        RawHttp.Answer openAi = RawHttp.send(gateway.server.port(Service.PROXY),
                "GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(405, openAi.status());
        assertEquals("method_not_allowed", Gateway.JSON.readTree(openAi.body()).at("/error/code").asText());
    }

    @Test
    void escapesThatJavalinCannotDecodeAre400NotA500() throws Exception {
        for (String path : new String[] {"/api/enterprise/vkeys/owner/a%u0041",
            "/api/enterprise/vkeys/%u00e9/budget"}) {
            // when
            RawHttp.Answer answer = RawHttp.send(gateway.server.port(Service.MANAGEMENT), "GET " + path
                    + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Gateway.MASTER + "\r\n\r\n");

            // then
            assertEquals(400, answer.status(), path + ": " + answer.body());
            assertEquals("application/json", answer.header("content-type").orElse(""), path);
            assertEquals("invalid_request_error", Gateway.JSON.readTree(answer.body()).at("/error/type").asText());
        }
    }

    @Test
    void aContentTypeNamingAnUnknownCharsetIs400() throws Exception {
        // when
        String form = "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n--b--\r\n";
        try (Response response = gateway.http.newCall(new Request.Builder()
                .url(gateway.proxy("/v1/audio/transcriptions"))
                .header("authorization", "Bearer " + Gateway.MASTER)
                .post(RequestBody.create(form.getBytes(StandardCharsets.UTF_8),
                        MediaType.get("multipart/form-data; charset=x-nope; boundary=b")))
                .build()).execute()) {
            // then
            assertEquals(400, response.code());
            assertEquals("unsupported_charset", Gateway.json(response).at("/error/code").asText());
        }
    }

    private static String shorten(String request) {
        String line = request.substring(0, request.indexOf('\r'));
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
