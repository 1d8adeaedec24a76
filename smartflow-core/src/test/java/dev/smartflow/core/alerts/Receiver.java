package dev.smartflow.core.alerts;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A local webhook receiver (MockWebServer) that answers every post with {@link #status}, optionally holding the
 * first answer until {@link #release()}.
 */
final class Receiver implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final MockWebServer server = new MockWebServer();
    final CountDownLatch firstArrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean holdFirst;
    volatile int status = 200;

    Receiver() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                boolean first = firstArrived.getCount() == 1;
                firstArrived.countDown();
                if (first && holdFirst) {
                    released.await(10, TimeUnit.SECONDS);
                }
                return new MockResponse.Builder().code(status).body(status == 204 ? "" : "ok").build();
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Holds the answer to the first post until {@link #release()}. */
    Receiver holdingFirst() {
        holdFirst = true;
        return this;
    }

    void release() {
        released.countDown();
    }

    /** A webhook URL with a secret in its path, as Slack's are. */
    URI url() {
        return server.url("/services/T0001/B0001/s3cr3tT0k3n").uri();
    }

    /** The next post received, within 10 s. */
    RecordedRequest take() throws InterruptedException {
        RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
        assertNotNull(request, "no webhook post arrived");
        return request;
    }

    /** The next post's JSON body. */
    JsonNode next() throws InterruptedException {
        try {
            return JSON.readTree(take().getBody().utf8());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        release();
        server.close();
    }
}
