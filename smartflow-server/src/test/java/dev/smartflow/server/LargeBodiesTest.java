package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;

/**
 * Large bodies in one gateway: each is charged to the body budget while in flight (a full budget answers 503 with
 * {@code Retry-After}, a body the budget can never hold 413), every charge is released when its answer is written,
 * and valid JSON is never called invalid for being large or deep.
 */
class LargeBodiesTest extends GatewayTest {
    private static final String BEARER = "Bearer " + Gateway.MASTER;
    private static final MediaType JSON = MediaType.get("application/json");
    private static final long MIB = 1024 * 1024;

    @Test
    void aBodyTheBudgetCanNeverHoldIs413NamingTheBudget() throws Exception {
        restart(4 * MIB);

        try (Response response = chat(1_000_000)) {
            assertEquals(413, response.code());
            JsonNode error = Gateway.json(response).path("error");
            assertEquals("request_too_large", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("max_inflight_body_bytes"), error.toString());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void aBodyOverTheSizeLimitIsRefusedForThatRatherThanForTheBudget() throws Exception {
        gateway.close();
        gateway = new Gateway(upstream, data, Map.of("SMARTFLOW_MAX_INFLIGHT_BODY_BYTES", Long.toString(4 * MIB),
                "SMARTFLOW_MAX_REQUEST_BYTES", "500000"));

        try (Response response = chat(1_000_000)) {
            assertEquals(413, response.code());
            assertEquals("request body is larger than 500000 bytes",
                    Gateway.json(response).path("error").path("message").asText());
        }
    }

    @Test
    void whileTheBudgetIsSpentFurtherBodiesGet503WithRetryAfterUntilItIsReleased() throws Exception {
        restart(8 * MIB);
        HeldAnswer held = new HeldAnswer();
        upstream.answer("/v1/chat/completions", new MockResponse.Builder()
                .addHeader("content-type", "application/json").body(held).build());

        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
            try (Response response = chat(1_000_000)) {
                return response.code();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, Thread::startVirtualThread);
        assertTrue(held.started.await(10, TimeUnit.SECONDS), "the first call holds its charge upstream");
        assertTrue(gateway.server.bodyBudget().inFlightBytes() >= 5_000_000);

        try (Response second = chat(1_000_000)) {
            assertEquals(503, second.code());
            assertEquals("1", second.header("Retry-After"));
            JsonNode error = Gateway.json(second).path("error");
            assertEquals("server_busy", error.path("code").asText());
            assertEquals("server_error", error.path("type").asText());
        }
        assertEquals(1, upstream.server.getRequestCount());
        try (Response metrics = gateway.get(gateway.proxy("/metrics"))) {
            String scrape = metrics.body().string();
            assertTrue(scrape.contains("smartflow_body_budget_refusals_total{reason=\"busy\"} 1.0"), scrape);
            assertTrue(scrape.contains("smartflow_inflight_body_limit_bytes " + (double) (8 * MIB)), scrape);
        }

        held.release.countDown();
        assertEquals(200, first.get(10, TimeUnit.SECONDS));
        Audits.await(() -> gateway.server.bodyBudget().inFlightBytes() == 0, "the first charge is released");
        upstream.answer("/v1/chat/completions", Upstream.json(200, Upstream.CHAT));
        try (Response third = chat(1_000_000)) {
            assertEquals(200, third.code());
        }
        Audits.await(() -> gateway.server.bodyBudget().inFlightBytes() == 0, "every charge is released");
    }

    @Test
    void aChunkedBodyIsChargedAsItArrives() throws Exception {
        restart(8 * MIB);

        try (Response small = post(chunked(100_000))) {
            assertEquals(200, small.code());
        }
        try (Response large = post(chunked(3_000_000))) {
            assertEquals(413, large.code());
            assertEquals("request_too_large", Gateway.json(large).path("error").path("code").asText());
        }
        Audits.await(() -> gateway.server.bodyBudget().inFlightBytes() == 0, "every charge is released");
        assertEquals(1, upstream.server.getRequestCount());
    }

    @Test
    void aStringLongerThanJacksonsDefaultLimitIsServed() throws Exception {
        // 20,000,001 characters: Jackson's default limit made this valid body "not valid JSON"
        try (Response response = chat(20_000_001)) {
            assertEquals(200, response.code());
        }
        assertEquals(1, upstream.server.getRequestCount());
    }

    @Test
    void nestingPastTheParsersLimitIs400SayingSo() throws Exception {
        String deep = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x\":"
                + "[".repeat(1000) + "]".repeat(1000) + "}";
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), deep, "authorization", BEARER)) {
            assertEquals(400, response.code());
            JsonNode error = Gateway.json(response).path("error");
            assertEquals("json_too_deep", error.path("code").asText());
            assertEquals("request body nests objects and arrays deeper than 1000 levels",
                    error.path("message").asText());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    private void restart(long budget) {
        gateway.close();
        gateway = new Gateway(upstream, data, Map.of("SMARTFLOW_MAX_INFLIGHT_BODY_BYTES", Long.toString(budget)));
    }

    /** A chat whose one message is {@code contentLength} characters. */
    private Response chat(int contentLength) throws IOException {
        return gateway.post(gateway.proxy("/v1/chat/completions"), "{\"model\":\"gpt-4o-mini\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"" + "x".repeat(contentLength) + "\"}]}", "authorization", BEARER);
    }

    private Response post(RequestBody body) throws IOException {
        return gateway.http.newCall(new Request.Builder().url(gateway.proxy("/v1/chat/completions"))
                .header("authorization", BEARER).post(body).build()).execute();
    }

    /** A chat of about {@code length} bytes sent without a Content-Length. */
    private static RequestBody chunked(int length) {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(length) + "\"}]}";
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return JSON;
            }

            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.writeUtf8(body);
            }
        };
    }

    /** An upstream answer held until the test releases it: its call keeps its body's charge meanwhile. */
    private static final class HeldAnswer implements MockResponseBody {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public long getContentLength() {
            return Upstream.CHAT.getBytes(StandardCharsets.UTF_8).length;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            started.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("the test never released the answer");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
            sink.writeUtf8(Upstream.CHAT);
            sink.flush();
        }
    }
}
