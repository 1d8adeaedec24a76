package dev.smartflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.testkit.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;

/**
 * The server's test helpers ({@link Gateway}, {@link Upstream}) for the client's tests, which live in another
 * package: a real gateway in-process on ephemeral ports (proxy, management, bridge) with the Anthropic adapter, in
 * front of a fake upstream speaking OpenAI's and Anthropic's wire formats.
 */
public final class ClientHarness implements AutoCloseable {
    public static final String MASTER = Gateway.MASTER;
    public static final String ANTHROPIC_KEY = Gateway.ANTHROPIC_KEY;
    public static final String CHAT = Upstream.CHAT;
    public static final byte[] SPEECH = Upstream.SPEECH;

    private final Upstream upstream;
    private final Gateway gateway;

    private ClientHarness(Upstream upstream, Gateway gateway) {
        this.upstream = upstream;
        this.gateway = gateway;
    }

    /** A gateway with the proxy, management and bridge services, prices from the bundled catalog. */
    public static ClientHarness start(Path dataDir) throws IOException {
        return start(dataDir, Map.of());
    }

    public static ClientHarness start(Path dataDir, Map<String, String> env) throws IOException {
        Upstream upstream = new Upstream();
        Map<String, String> all = new HashMap<>(env);
        all.put("ANTHROPIC_API_KEY", Gateway.ANTHROPIC_KEY);
        all.put("ANTHROPIC_API_BASE", upstream.anthropicBase());
        try {
            return new ClientHarness(upstream, new Gateway(upstream, dataDir, all, Service.PROXY, Service.MANAGEMENT,
                    Service.BRIDGE));
        } catch (RuntimeException e) {
            upstream.close();
            throw e;
        }
    }

    public String url(Service service) {
        return gateway.url(service, "");
    }

    public int port(Service service) {
        return gateway.server.port(service);
    }

    public MockWebServer upstream() {
        return upstream.server;
    }

    /** Replaces the upstream's answer on {@code path} (e.g. {@code /v1/chat/completions}). */
    public void answer(String path, MockResponse response) {
        upstream.answer(path, response);
    }

    public static MockResponse json(int status, String body) {
        return Upstream.json(status, body);
    }

    public static MockResponse sse(String... events) {
        return Upstream.sse(events);
    }

    /** A stream whose headers arrive at once and whose first byte waits for {@code release}. */
    public static MockResponse heldBeforeFirstChunk(CountDownLatch release) {
        return Upstream.heldBeforeFirstChunk(release);
    }

    /** The first chunk of {@link Upstream#STREAM}, then a connection closed halfway through the body. */
    public static MockResponse brokenStream() {
        String first = "data: " + Upstream.STREAM[1] + "\n\n";
        String body = first + ": " + "x".repeat(first.length()) + "\n\n" + "data: " + Upstream.STREAM[2] + "\n\n";
        return new MockResponse.Builder().addHeader("content-type", "text/event-stream").body(body)
                .onResponseBody(new mockwebserver3.SocketEffect.CloseSocket()).build();
    }

    /** The next request the upstream received. */
    public RecordedRequest takeUpstreamRequest() throws InterruptedException {
        return upstream.server.takeRequest();
    }

    /** Forgets the requests the upstream received so far. */
    public void drainUpstream() throws InterruptedException {
        while (upstream.server.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
            // dropped
        }
    }

    /** Creates a virtual key over the management API; the answer (with {@code token} and {@code key_id}). */
    public JsonNode createKey(String json) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"), json,
                "Authorization", "Bearer " + MASTER)) {
            JsonNode body = Gateway.json(response);
            if (response.code() != 201 && response.code() != 200) {
                throw new IllegalStateException("creating a key failed: " + body);
            }
            return body;
        }
    }

    /** Waits until the audit log holds at least {@code count} records; they are written behind the request. */
    public void awaitAudit(int count) {
        Await.until(Duration.ofSeconds(10), "the audit log holds " + count + " records",
                () -> gateway.server.database().audit().query(AuditQuery.latest(1000)).size() >= count);
    }

    /** Waits until the audit log holds the call {@code requestId}. */
    public void awaitAudited(String requestId) {
        Await.until(Duration.ofSeconds(10), "the audit log holds " + requestId,
                () -> audited().stream().anyMatch(r -> r.requestId().equals(requestId)));
    }

    /** The audited calls, newest first. */
    public List<AuditRecord> audited() {
        return gateway.server.database().audit().query(AuditQuery.latest(1000));
    }

    @Override
    public void close() {
        gateway.close();
        upstream.close();
    }
}
