package dev.smartflow.providers.openai;

import static dev.smartflow.providers.openai.OpenAiProviderTest.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.ClientClosed;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.ProviderRegistry;
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

/**
 * A call whose caller went away ({@link Cancellation} on the exchange) is cancelled at once, wherever it waits, and
 * fails with {@link ClientClosed} rather than running on to the upstream's answer or the timeout (600 s by default).
 */
@Timeout(20)
final class OpenAiCancellationTest {
    private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
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

    @Test
    void aCallWaitingForItsAnswerEndsAsSoonAsTheCallerGoesAway() throws Exception {
        server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        Cancellation cancellation = new Cancellation();
        Exchange exchange = chat(CHAT).with(Cancellation.KEY, cancellation);
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
                () -> openAi().call(chat(CHAT).with(Cancellation.KEY, cancellation), "gpt-4o-mini"));
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
        server.enqueue(OpenAiProviderTest.json(200, Fixtures.text("chat-completion.json")));
        Cancellation cancellation = new Cancellation();

        Response answer = openAi().call(chat(CHAT).with(Cancellation.KEY, cancellation), "gpt-4o-mini");
        cancellation.cancel();

        assertEquals(200, answer.status());
        assertTrue(((Response.Complete) answer).body().length() > 0);
    }

    private Provider openAi() {
        registry = Fixtures.registry(server);
        return registry.provider("openai").orElseThrow();
    }
}
