package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
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

    /**
     * An answer given before the body was read (a wrong key on a management route, a body sent to a route that takes
     * none) reaches the caller before the rest of the body is sent, and the connection then serves the next request:
     * the rest is read and dropped instead of the connection being closed on unread bytes (which resets it, and can
     * take the answer with it).
     */
    @Test
    void anAnswerGivenBeforeTheBodyWasReadLeavesTheConnectionServing() throws Exception {
        try (Upstream upstream = new Upstream(); Gateway gateway = new Gateway(upstream, data, Service.values())) {
            for (String head : new String[] {"POST /api/alerts HTTP/1.1\r\nAuthorization: Bearer sk-wrong\r\n"
                    + "Content-Type: application/json\r\n", "GET /health HTTP/1.1\r\n"}) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", gateway.server.port(Service.MANAGEMENT)));
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    byte[] body = new byte[600_000];
                    Arrays.fill(body, (byte) ' ');
                    out.write((head + "Host: localhost\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body, 0, 4096);
                    out.flush();
                    RawHttp.Answer first = RawHttp.read(socket.getInputStream());
                    assertEquals(head.startsWith("GET") ? 200 : 401, first.status(), head);

                    out.write(body, 4096, body.length - 4096);
                    out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    RawHttp.Answer next = RawHttp.read(socket.getInputStream());
                    assertEquals(200, next.status(), head);
                    assertEquals("{\"status\":\"ok\"}", next.body(), head);
                }
            }
        }
    }
}
