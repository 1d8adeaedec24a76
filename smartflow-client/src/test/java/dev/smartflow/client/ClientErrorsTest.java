package dev.smartflow.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.server.ClientHarness;
import dev.smartflow.server.Service;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each error type the client maps, as a real gateway produces it. */
class ClientErrorsTest {
    @TempDir
    Path data;

    private ClientHarness gateway;
    private final List<AutoCloseable> open = new ArrayList<>();

    private ClientHarness gateway() throws IOException {
        if (gateway == null) {
            gateway = ClientHarness.start(data);
        }
        return gateway;
    }

    private SyncSmartflowClient client(String key) throws IOException {
        return client(key, b -> b);
    }

    private SyncSmartflowClient client(String key, UnaryOperator<SmartflowClient.Builder> more)
            throws IOException {
        SyncSmartflowClient client = more.apply(SmartflowClient.builder().baseUrl(gateway().url(Service.PROXY))
                .apiKey(key).managementPort(gateway().port(Service.MANAGEMENT))).buildSync();
        open.add(client);
        return client;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aWrongKeyIsAnAuthenticationError() throws Exception {
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> client("sk-wrong-key").chat("hi", ChatOptions.model("gpt-4o-mini")));

        assertEquals(401, e.status().orElseThrow());
        assertEquals(Optional.of("invalid_api_key"), e.code());
        assertFalse(e.getMessage().contains("sk-wrong-key"), "the key never appears in a message");
    }

    @Test
    void theManagementApiRefusesAVirtualKey() throws Exception {
        String token = gateway().createKey("{\"name\":\"app\",\"owner_id\":\"a\"}").path("token").asText();

        assertThrows(AuthenticationException.class, () -> client(token).getRoutingStatus());
    }

    @Test
    void aRateLimitSaysWhenToRetryAndWhatTheLimitIs() throws Exception {
        String token = gateway().createKey("{\"name\":\"slow\",\"owner_id\":\"a\",\"rpm_limit\":1}")
                .path("token").asText();
        SyncSmartflowClient client = client(token);
        client.chat("first", ChatOptions.model("gpt-4o-mini"));

        RateLimitException e = assertThrows(RateLimitException.class,
                () -> client.chat("second", ChatOptions.model("gpt-4o-mini")));

        assertEquals(429, e.status().orElseThrow());
        assertFalse(e.budgetExceeded());
        assertTrue(e.retryAfter().orElseThrow().toSeconds() >= 1);
        assertEquals(1, e.limit().orElseThrow());
        assertEquals(0, e.remaining().orElseThrow());
    }

    @Test
    void retriesHonourTheGatewaysRetryAfter() throws Exception {
        String token = gateway().createKey("{\"name\":\"slow\",\"owner_id\":\"a\",\"rpm_limit\":1}")
                .path("token").asText();
        List<Duration> waits = new ArrayList<>();
        SyncSmartflowClient client = client(token, b -> b.retries(RetryPolicy.of(2)).sleeper(waits::add));
        client.chat("first", ChatOptions.model("gpt-4o-mini"));

        RateLimitException e = assertThrows(RateLimitException.class,
                () -> client.chat("second", ChatOptions.model("gpt-4o-mini")));

        assertEquals(2, waits.size(), "two retries, each after the wait the gateway asked for");
        assertTrue(waits.getFirst().toSeconds() >= 1 && waits.getFirst().toSeconds() <= 60, waits.toString());
        assertEquals(e.retryAfter().orElseThrow().toSeconds(), waits.getLast().toSeconds(), 1);
    }

    @Test
    void anExhaustedBudgetSaysSoAndWhatIsLeft() throws Exception {
        String token = gateway().createKey("{\"name\":\"poor\",\"owner_id\":\"a\",\"budget_usd\":0.000001}")
                .path("token").asText();

        RateLimitException e = assertThrows(RateLimitException.class,
                () -> client(token).chat("hi", ChatOptions.builder().model("gpt-4o-mini").maxTokens(100).build()));

        assertTrue(e.budgetExceeded());
        assertEquals(0, new BigDecimal("0.000001").compareTo(e.budgetRemainingUsd().orElseThrow()));
        assertEquals("budget_exceeded", e.type());
    }

    @Test
    void anUpstreamFailureIsAProviderError() throws Exception {
        gateway().answer("/v1/embeddings", ClientHarness.json(500, "{\"error\":{\"message\":\"boom\"}}"));

        ProviderException e = assertThrows(ProviderException.class, () -> client(ClientHarness.MASTER)
                .embeddings("x"));

        assertEquals(502, e.status().orElseThrow());
        assertTrue(e.getMessage().contains("openai"), e.getMessage());
        assertTrue(e.requestId().orElseThrow().startsWith("req_"));
    }

    @Test
    void aBadRequestIsAPlainSmartflowExceptionWithItsStatusTypeAndParam() throws Exception {
        SmartflowException e = assertThrows(SmartflowException.class, () -> client(ClientHarness.MASTER)
                .chat("hi", ChatOptions.model("no-such-model-anywhere")));

        assertEquals(SmartflowException.class, e.getClass());
        assertEquals(400, e.status().orElseThrow());
        assertEquals("invalid_request_error", e.type());
    }

    @Test
    void noAnswerWithinTheTimeoutIsATimeoutError() throws Exception {
        gateway().answer("/v1/images/generations", new MockResponse.Builder().headersDelay(5, TimeUnit.SECONDS)
                .body("{}").build());
        SyncSmartflowClient client = client(ClientHarness.MASTER, b -> b.timeout(Duration.ofMillis(300)));

        SmartflowTimeoutException e = assertThrows(SmartflowTimeoutException.class,
                () -> client.imageGeneration("slow"));
        assertTrue(e.status().isEmpty());
    }

    @Test
    void aStreamThatStallsBeforeItsFirstChunkTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        gateway().answer("/v1/chat/completions", ClientHarness.heldBeforeFirstChunk(release));
        SyncSmartflowClient client = client(ClientHarness.MASTER, b -> b.timeout(Duration.ofMillis(300)));
        try {
            assertThrows(SmartflowTimeoutException.class, () -> {
                try (Stream<String> deltas = client.streamChat("hi", ChatOptions.model("gpt-4o-mini"))) {
                    deltas.toList();
                }
            });
        } finally {
            release.countDown();
        }
    }

    @Test
    void aStreamThatBreaksAfterItsFirstChunkFailsOnTheNextRead() throws Exception {
        gateway().answer("/v1/chat/completions", ClientHarness.brokenStream());

        try (Stream<String> deltas = client(ClientHarness.MASTER).streamChat("hi", ChatOptions.model("gpt-4o-mini"))) {
            Iterator<String> reads = deltas.iterator();
            assertEquals("Hel", reads.next());
            ProviderException e = assertThrows(ProviderException.class, reads::hasNext);
            assertTrue(e.getMessage().startsWith("the stream failed"), e.getMessage());
        }
    }

    @Test
    void anUnreachableGatewayIsAConnectionError() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (SyncSmartflowClient client = new SyncSmartflowClient("http://127.0.0.1:" + port, "sk-x")) {
            SmartflowConnectionException e = assertThrows(SmartflowConnectionException.class, client::health);
            assertTrue(e.status().isEmpty());
        }
    }

    @Test
    void theAsyncClientCompletesExceptionallyWithTheSameErrors() throws Exception {
        SmartflowClient async = client("sk-wrong-key").async();

        CompletionException wrapped = assertThrows(CompletionException.class,
                () -> async.chat("hi", ChatOptions.model("gpt-4o-mini")).join());
        assertInstanceOf(AuthenticationException.class, wrapped.getCause());
        assertThrows(AuthenticationException.class, () -> SmartflowClient.await(async.listModels()));
    }

    @Test
    void errorsCarryTheGatewaysRequestId() throws Exception {
        SmartflowException e = assertThrows(SmartflowException.class, () -> client(ClientHarness.MASTER)
                .chat("hi", ChatOptions.model("no-such-model-anywhere")));
        String id = e.requestId().orElseThrow();
        gateway().awaitAudited(id);
        JsonNode logged = client(ClientHarness.MASTER).getLogs(10).stream()
                .filter(l -> l.requestId().equals(id)).findFirst().orElseThrow().json();
        assertEquals(400, logged.path("status").asInt());
    }
}
