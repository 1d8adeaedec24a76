package dev.smartflow.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class CoarsePoolTasksTest {
    @Test
    void connectionsAreReusedAndIdleOnesAreStillEvictedWithoutPerRequestWakeups() throws Exception {
        ConnectionPool pool = CoarsePoolTasks.pool(4, Duration.ofMillis(200));
        OkHttpClient client = new OkHttpClient.Builder().connectionPool(pool).build();
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("one").build());
            server.enqueue(new MockResponse.Builder().body("two").build());
            server.start();
            for (String expected : new String[] {"one", "two"}) {
                try (Response response = client.newCall(new Request.Builder().url(server.url("/")).build()).execute()) {
                    assertEquals(expected, response.body().string());
                }
            }
            server.takeRequest();
            assertEquals(0, server.takeRequest().getConnectionIndex(), "second call reused the first connection");
            assertEquals(1, pool.idleConnectionCount());

            // The cleanup runs on the coordinator's tick (at most a second late), not when the connection went idle.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (pool.connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(pool.connectionCount() == 0, "idle connection evicted after its keep-alive");
        } finally {
            client.dispatcher().executorService().shutdown();
        }
    }
}
