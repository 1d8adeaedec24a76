package dev.smartflow.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.Service;
import dev.smartflow.server.SmartflowServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A real gateway on ephemeral ports with the A2A module installed, its shared-state keys under a prefix of its own
 * ({@code a2a.state_prefix}), plus the calls the tests make of it: registering agents, creating keys.
 */
final class TestGateway implements AutoCloseable {
    static final String MASTER = "sk-test-master-0123456789";
    static final String M = "Bearer " + MASTER;

    final SmartflowServer server;
    final String statePrefix;

    TestGateway(Path dataDir) {
        this(dataDir, Map.of(), "");
    }

    /**
     * @param env      the server's environment (e.g. {@code SMARTFLOW_REDIS_URL})
     * @param a2aYaml  more settings of the {@code a2a:} section, as YAML lines indented by two spaces
     */
    TestGateway(Path dataDir, Map<String, String> env, String a2aYaml) {
        this(dataDir, env, a2aYaml, "a2a-test-" + UUID.randomUUID() + ":");
    }

    TestGateway(Path dataDir, Map<String, String> env, String a2aYaml, String statePrefix) {
        this.statePrefix = statePrefix;
        try {
            Files.createDirectories(dataDir);
            Path config = dataDir.resolve("smartflow.yaml");
            Files.writeString(config, "a2a:\n  state_prefix: \"" + statePrefix + "\"\n" + a2aYaml);
            Map<Service, Integer> ports = new EnumMap<>(Service.class);
            for (Service service : Service.values()) {
                ports.put(service, 0);
            }
            ServerConfig serverConfig = ServerConfig.load(Optional.of(config), env).withPorts(ports)
                    .withServices(EnumSet.of(Service.PROXY, Service.MANAGEMENT)).withDataDir(dataDir)
                    .withMasterKey(MASTER);
            ProviderRegistry providers = ProviderRegistry.builder().environment(new HashMap<>(env)).build();
            server = SmartflowServer.start(serverConfig, providers, List.of(new A2aModule()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String proxy(String path) {
        return "http://127.0.0.1:" + server.port(Service.PROXY) + path;
    }

    String management(String path) {
        return "http://127.0.0.1:" + server.port(Service.MANAGEMENT) + path;
    }

    /** Registers an agent; fails the test unless it is created. */
    JsonNode register(String json) {
        Http.Reply reply = Http.post(proxy("/api/a2a/agents"), json, "Authorization", M);
        assertEquals(201, reply.status(), reply.body());
        return reply.json().path("agent");
    }

    /** Creates a virtual key; its token and id. */
    Key createKey(String json) {
        Http.Reply reply = Http.post(management("/api/enterprise/vkeys"), json, "Authorization", M);
        assertEquals(201, reply.status(), reply.body());
        return new Key(reply.json().path("token").asText(), reply.json().path("key_id").asText());
    }

    record Key(String token, String id) {
        String bearer() {
            return "Bearer " + token;
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
