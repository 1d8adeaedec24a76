package dev.smartflow.providers.openai;

import static dev.smartflow.providers.openai.OpenAiProviderTest.chat;
import static dev.smartflow.providers.openai.OpenAiProviderTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.ClientClosed;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How upstream failures surface: status mapping, messages, scrubbing, broken connections, deadlines, and calls whose
 * caller went away.
 */
@Timeout(20)
final class OpenAiFailureTest {
    private static final String KEY = Fixtures.KEY;
    private static final String BODY =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[]}";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private ProviderRegistry registry;

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @ParameterizedTest(name = "upstream {0} becomes {1}")
    @CsvSource({
            "400, 400, invalid_request_error, context_length_exceeded, false",
            "401, 401, invalid_request_error, invalid_api_key, false",
            "403, 403, request_forbidden, unsupported_country_region_territory, false",
            "404, 404, invalid_request_error, model_not_found, false",
            "429, 429, requests, rate_limit_exceeded, true",
            "500, 502, server_error, , true",
            "503, 502, server_error, , true"})
    void upstreamErrorStatusMapsToTheCallersStatus(int upstream, int status, String type, String code,
                                                   boolean retryable) {
        server.enqueue(json(upstream, Fixtures.text("error-" + upstream + ".json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertEquals(status, failure.status());
        assertEquals(OptionalInt.of(upstream), failure.upstreamStatus());
        assertEquals(type, failure.type());
        assertEquals(code == null ? "" : code, failure.code().orElse(""));
        assertEquals(retryable, failure.retryable());
        assertEquals("openai", failure.provider());
        assertTrue(failure.getMessage().startsWith("openai returned HTTP " + upstream + ": "), failure.getMessage());
    }

    @Test
    void upstreamMessageIsKeptForTheCaller() {
        server.enqueue(json(400, Fixtures.text("error-400.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertTrue(failure.getMessage().contains("maximum context length is 128000 tokens"), failure.getMessage());
    }

    @Test
    void keyEchoedByTheUpstreamIsScrubbedFromTheMessage() {
        server.enqueue(json(401, """
                {"error":{"message":"Incorrect API key provided: %s. You can find your API key at \
                https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,\
                "code":"invalid_api_key"}}""".formatted(KEY)));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertFalse(failure.getMessage().contains(KEY), failure.getMessage());
        assertFalse(failure.getMessage().contains("4fJ9aQ2mX7pL0sB3"), failure.getMessage());
        assertTrue(failure.getMessage().contains("Incorrect API key provided: " + Scrubber.MASK),
                failure.getMessage());
    }

    @Test
    void halfMaskedKeyInOpenAisOwnMessageIsMaskedWhole() {
        server.enqueue(json(401, Fixtures.text("error-401.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertFalse(failure.getMessage().contains("Xy9Q"), failure.getMessage());
        assertFalse(failure.getMessage().contains("sk-proj"), failure.getMessage());
    }

    @Test
    void plainTextErrorBodyBecomesTheMessage() {
        server.enqueue(new MockResponse.Builder().code(502).setHeader("Content-Type", "text/plain")
                .body("upstream connect error or disconnect/reset before headers").build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertEquals(502, failure.status());
        assertEquals("upstream_error", failure.type());
        assertTrue(failure.getMessage().endsWith(": upstream connect error or disconnect/reset before headers"),
                failure.getMessage());
    }

    @Test
    void errorBodyIsReadNoFurtherThan64KiB() {
        String huge = "x".repeat(UpstreamHttp.MAX_ERROR_BYTES * 2);
        server.enqueue(new MockResponse.Builder().code(500).setHeader("Content-Type", "text/plain").body(huge)
                .build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().length() < 2_000, "message length " + failure.getMessage().length());
    }

    @Test
    void garbageAnswerIsA502() {
        server.enqueue(json(200, "{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":"));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("answer is not JSON"), failure.getMessage());
        assertTrue(failure.retryable());
    }

    @Test
    void emptyAnswerIsA502() {
        server.enqueue(json(200, ""));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertEquals(502, failure.status());
    }

    @Test
    void connectionDroppedDuringTheAnswerIsA502() {
        server.enqueue(new MockResponse.Builder()
                .setHeader("Content-Type", "application/json")
                .body(Fixtures.text("chat-completion.json"))
                .onResponseBody(new SocketEffect.CloseSocket(true, false, false))
                .build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertEquals(502, failure.status());
        assertEquals("upstream_unavailable", failure.code().orElseThrow());
        assertTrue(failure.retryable());
    }

    @Test
    void answerCutBeforeItsHeadersIsNotCalledUnreachable() {
        server.enqueue(new MockResponse.Builder()
                .onResponseStart(new SocketEffect.CloseSocket(true, false, false))
                .build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("closed the connection before its answer was complete"),
                failure.getMessage());
    }

    @Test
    void connectionCutBeforeTheAnswerIsNotRetriedUnderneathRouting() {
        // given: a kept-alive connection, cut on the second call once the upstream has read it; a retry would be
        // answered
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));
        server.enqueue(new MockResponse.Builder()
                .onResponseStart(new SocketEffect.CloseSocket(true, false, false))
                .build());
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));
        Provider openAi = openAi();
        openAi.call(chat(BODY), "gpt-4o-mini");

        // when
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi.call(chat(BODY), "gpt-4o-mini"));

        // then: the failure reaches routing, which decides whether and where to try again; the upstream saw the call
        // once, not a silent second time
        assertTrue(failure.retryable());
        assertEquals(2, server.getRequestCount());
    }

    @Test
    void unreachableUpstreamIsA502() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        registry = ProviderRegistry.builder()
                .environment(Map.of("OPENAI_API_KEY", KEY, "OPENAI_API_BASE", "http://127.0.0.1:" + closedPort + "/v1"))
                .build();
        Provider openAi = registry.provider("openai").orElseThrow();

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi.call(chat(BODY), "gpt-4o-mini"));

        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("cannot reach the upstream"), failure.getMessage());
        assertFalse(failure.getMessage().contains(String.valueOf(closedPort)), "no addresses in caller messages");
    }

    @Test
    void upstreamThatNeverAnswersTimesOutWith504() {
        server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        Provider openAi = openAi(ProviderSettings.of("openai").withTimeout(Duration.ofMillis(300)));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi.call(chat(BODY), "gpt-4o-mini"));

        assertEquals(504, failure.status());
        assertEquals("timeout_error", failure.type());
        assertTrue(failure.retryable());
    }

    @Test
    void answerBodyThatStallsTimesOutWith504() {
        server.enqueue(new MockResponse.Builder()
                .setHeader("Content-Type", "application/json")
                .body(Fixtures.text("chat-completion.json"))
                .onResponseBody(SocketEffect.Stall.INSTANCE)
                .build());
        Provider openAi = openAi(ProviderSettings.of("openai").withTimeout(Duration.ofMillis(300)));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi.call(chat(BODY), "gpt-4o-mini"));

        assertEquals(504, failure.status());
    }

    @Test
    void modelListThatNeverComesTimesOutWith504() {
        server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        Provider openAi = openAi(ProviderSettings.of("openai").withTimeout(Duration.ofMillis(300)));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, openAi::models);

        assertEquals(504, failure.status());
    }

    @Test
    void redirectIsNotFollowed() {
        server.enqueue(new MockResponse.Builder().code(307)
                .setHeader("Location", server.url("/elsewhere").toString()).build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().call(chat(BODY), "gpt-4o-mini"));

        assertEquals(502, failure.status());
        assertEquals(1, server.getRequestCount());
    }

    // a caller that goes away: the call is cancelled at once, wherever it waits, and fails with ClientClosed
    // rather than running on to the upstream's answer or the timeout (600 s by default)

    @Test
    void aCallWaitingForItsAnswerEndsAsSoonAsTheCallerGoesAway() throws Exception {
        server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        Cancellation cancellation = new Cancellation();
        Exchange exchange = chat(BODY).with(Cancellation.KEY, cancellation);
        Provider openAi = openAi();

        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> openAi.call(exchange, "gpt-4o-mini"),
                Thread::startVirtualThread);
        assertNotNull(server.takeRequest(5, TimeUnit.SECONDS), "the call reached the upstream");
        cancellation.cancel();

        ExecutionException failed = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
        ClientClosed closed = assertInstanceOf(ClientClosed.class, failed.getCause());
        assertEquals(499, closed.status());
        assertEquals("client_closed_request", closed.code().orElseThrow());
    }

    @Test
    void aCallWhoseCallerHasAlreadyGoneIsNeverSent() {
        Cancellation cancellation = new Cancellation();
        cancellation.cancel();

        assertThrows(ClientClosed.class,
                () -> openAi().call(chat(BODY).with(Cancellation.KEY, cancellation), "gpt-4o-mini"));
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void aStreamWaitingForItsNextChunkEndsWithClientClosedWhenTheCallerGoesAway() {
        String first = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n";
        GatedBody body = new GatedBody(first, "data: [DONE]\n\n");
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build());
        Cancellation cancellation = new Cancellation();
        try {
            Response.Streamed streamed = assertInstanceOf(Response.Streamed.class,
                    openAi().call(chat(STREAM).with(Cancellation.KEY, cancellation), "gpt-4o-mini"));
            try (ChunkStream stream = streamed.chunks()) {
                assertTrue(stream.hasNext());
                stream.next();
                // the upstream holds the rest: the reader would wait in hasNext() for the idle timeout
                CompletableFuture.runAsync(cancellation::cancel, Thread::startVirtualThread);

                assertThrows(ClientClosed.class, stream::hasNext);
            }
        } finally {
            body.release.countDown();
        }
    }

    @Test
    void aCallThatEndedIsNotTouchedByALaterCancellation() {
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));
        Cancellation cancellation = new Cancellation();

        Response answer = openAi().call(chat(BODY).with(Cancellation.KEY, cancellation), "gpt-4o-mini");
        cancellation.cancel();

        assertEquals(200, answer.status());
        assertTrue(((Response.Complete) answer).body().length() > 0);
    }

    private Provider openAi() {
        return openAi(ProviderSettings.of("openai"));
    }

    private Provider openAi(ProviderSettings settings) {
        registry = Fixtures.registry(server, settings);
        return registry.provider("openai").orElseThrow();
    }
}
