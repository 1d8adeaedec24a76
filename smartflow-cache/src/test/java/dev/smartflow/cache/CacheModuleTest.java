package dev.smartflow.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.cache.embed.EmbeddersProbe;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import dev.smartflow.server.SmartflowServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module as the server finds and runs it. */
class CacheModuleTest {
    @TempDir
    Path dataDir;

    @BeforeAll
    static void keepDjlsCacheInTheBuildDirectory() {
        EmbeddersProbe.shared();
    }

    @Test
    void theServerFindsTheModuleOnTheClassPath() {
        assertTrue(ServerModule.discovered().stream().anyMatch(module -> module instanceof CacheModule));
    }

    @Test
    void aServerOpensOneSharedEmbedderAndClosesItWhenItStops() throws Exception {
        try (SmartflowServer server = start("")) {
            assertEquals(1, EmbeddersProbe.shared().size());
            assertEquals(200, health(server));
            assertEquals(384, EmbeddersProbe.shared().getFirst().embed("hello").length);
        }
        assertEquals(0, EmbeddersProbe.shared().size());
    }

    @Test
    void enabledFalseLeavesTheModuleOut() throws Exception {
        try (SmartflowServer server = start("cache:\n  enabled: false\n")) {
            assertEquals(0, EmbeddersProbe.shared().size());
            assertEquals(200, health(server));
        }
    }

    @Test
    void aBadEmbedderSettingStopsTheStartAndNamesTheKey() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> start("cache:\n  embedder:\n    type: pytorch\n").close());

        assertTrue(failure.getMessage().contains("cache.embedder.type"), failure.getMessage());
        assertEquals(0, EmbeddersProbe.shared().size());
    }

    private SmartflowServer start(String yaml) throws IOException {
        Path file = Files.writeString(dataDir.resolve("smartflow.yaml"), yaml.isEmpty() ? "{}\n" : yaml);
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, 0);
        }
        ServerConfig config = ServerConfig.load(Optional.of(file), Map.of()).withPorts(ports)
                .withServices(EnumSet.of(Service.PROXY)).withDataDir(dataDir).withMasterKey("sk-test-master-0123");
        ProviderRegistry registry = ProviderRegistry.builder().environment(Map.of()).build();
        return SmartflowServer.start(config, registry, List.of(new CacheModule()));
    }

    private static int health(SmartflowServer server) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port(Service.PROXY) + "/health")).build();
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
