package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that disconnects while its call is in flight: the upstream call is cancelled (the upstream sees its
 * connection close) instead of running on until the provider timeout, and the audit records 499, not the 504 that
 * timeout would have made of it.
 */
@Timeout(60)
class ClientDisconnectTest extends GatewayTest {
    private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aPlainCallWhoseClientLeavesIsCancelledUpstreamAndAuditedAs499() throws Exception {
        // the upstream starts its answer and never finishes it, as a slow model does
        HeldAnswer held = new HeldAnswer("", " ");
        upstream.answer("/v1/chat/completions", held.response("application/json"));

        try (Socket client = post(CHAT, "left-plain")) {
            assertTrue(held.started.await(10, TimeUnit.SECONDS), "the call reached the upstream");
        }

        assertTrue(held.closed.await(5, TimeUnit.SECONDS), "the upstream call was cancelled");
        assertAuditedAsClientClosed("left-plain");
    }

    @Test
    void aStreamWaitingForItsNextChunkIsCancelledWhenItsClientLeaves() throws Exception {
        // one chunk, then silence: the gateway waits upstream and writes nothing the client could fail to take
        HeldAnswer held = new HeldAnswer("data: " + Upstream.STREAM[0] + "\n\n", ": still thinking\n\n");
        upstream.answer("/v1/chat/completions", held.response("text/event-stream"));

        try (Socket client = post(STREAM, "left-quiet-stream")) {
            readUntil(client.getInputStream(), "data: ");
        }

        assertTrue(held.closed.await(5, TimeUnit.SECONDS), "the upstream call was cancelled");
        assertAuditedAsClientClosed("left-quiet-stream");
    }

    @Test
    void aStreamStillSendingChunksIsCancelledWhenItsClientLeaves() throws Exception {
        HeldAnswer held = new HeldAnswer("data: " + Upstream.STREAM[0] + "\n\n", "data: " + Upstream.STREAM[1] + "\n\n");
        upstream.answer("/v1/chat/completions", held.response("text/event-stream"));

        try (Socket client = post(STREAM, "left-busy-stream")) {
            readUntil(client.getInputStream(), "Hel");
        }

        assertTrue(held.closed.await(5, TimeUnit.SECONDS), "the upstream call was cancelled");
        assertAuditedAsClientClosed("left-busy-stream");
    }

    @Test
    void aClientThatStaysGetsItsAnswer() throws Exception {
        try (okhttp3.Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT,
                "authorization", "Bearer " + Gateway.MASTER, "x-request-id", "stayed")) {
            assertEquals(200, response.code());
        }
        Audits.await(() -> Audits.entries(gateway, "").containsKey("stayed"), "the call is audited");
        assertEquals(200, Audits.entries(gateway, "").get("stayed").path("status").asInt());
    }

    private void assertAuditedAsClientClosed(String requestId) throws Exception {
        Audits.await(() -> Audits.entries(gateway, "").containsKey(requestId), "the call is audited");
        JsonNode entry = Audits.entries(gateway, "").get(requestId);
        assertEquals(499, entry.path("status").asInt(), entry::toString);
        assertEquals("client_closed_request", entry.path("error").asText(), entry::toString);
    }

    /** A raw HTTP/1.1 request, so the test can close the connection whenever it likes. */
    private Socket post(String body, String requestId) throws IOException {
        Socket socket = new Socket("127.0.0.1", gateway.server.port(Service.PROXY));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + Gateway.MASTER + "\r\nx-request-id: " + requestId + "\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return socket;
    }

    private static void readUntil(InputStream in, String marker) throws IOException {
        StringBuilder seen = new StringBuilder();
        while (seen.indexOf(marker) < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the answer ended before '" + marker + "': " + seen);
            }
            seen.append((char) b);
        }
    }

    /**
     * An upstream answer that sends {@code first}, then {@code filler} every few milliseconds and never ends: the
     * filler keeps the connection in use, and writing it is how the fake upstream learns that the gateway closed its
     * end.
     */
    private static final class HeldAnswer implements MockResponseBody {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        private final String first;
        private final String filler;

        HeldAnswer(String first, String filler) {
            this.first = first;
            this.filler = filler;
        }

        MockResponse response(String contentType) {
            return new MockResponse.Builder().addHeader("content-type", contentType).body(this).build();
        }

        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            started.countDown();
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                sink.writeUtf8(first);
                sink.flush();
                while (System.nanoTime() < giveUp) {
                    Thread.sleep(20);
                    sink.writeUtf8(filler);
                    sink.flush();
                }
            } catch (IOException e) {
                closed.countDown();
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
            throw new IOException("the gateway kept the call open for 30 s");
        }
    }
}
