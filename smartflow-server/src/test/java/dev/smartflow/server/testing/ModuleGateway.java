package dev.smartflow.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.ServerModule;
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

/**
 * A real gateway on ephemeral ports (proxy and management) with one module installed, its shared-state keys under a
 * prefix of its own (the module section's {@code state_prefix}), plus the calls a module's tests make of it:
 * registering with the module's registry, creating virtual keys. A module's tests extend it as their own
 * {@code TestGateway}.
 */
public class ModuleGateway implements AutoCloseable {
    public static final String MASTER = "sk-test-master-0123456789";
    public static final String M = "Bearer " + MASTER;

    public final SmartflowServer server;
    public final String statePrefix;
    private final String registryPath;
    private final String registeredField;

    /**
     * @param env          the server's environment (e.g. {@code SMARTFLOW_REDIS_URL})
     * @param section      the module's config section, e.g. {@code mcp}
     * @param sectionYaml  more settings of that section, as YAML lines indented by two spaces
     * @param registryPath the module's registry on the proxy port, e.g. {@code /api/mcp/servers}
     * @param registeredField the field of the registry's 201 answer that holds what was registered
     */
    protected ModuleGateway(Path dataDir, Map<String, String> env, String section, String sectionYaml,
                            String statePrefix, ServerModule module, String registryPath, String registeredField) {
        this.statePrefix = statePrefix;
        this.registryPath = registryPath;
        this.registeredField = registeredField;
        try {
            Files.createDirectories(dataDir);
            Path config = dataDir.resolve("smartflow.yaml");
            Files.writeString(config, section + ":\n  state_prefix: \"" + statePrefix + "\"\n" + sectionYaml);
            Map<Service, Integer> ports = new EnumMap<>(Service.class);
            for (Service service : Service.values()) {
                ports.put(service, 0);
            }
            ServerConfig serverConfig = ServerConfig.load(Optional.of(config), env).withPorts(ports)
                    .withServices(EnumSet.of(Service.PROXY, Service.MANAGEMENT)).withDataDir(dataDir)
                    .withMasterKey(MASTER);
            ProviderRegistry providers = ProviderRegistry.builder().environment(new HashMap<>(env)).build();
            server = SmartflowServer.start(serverConfig, providers, List.of(module));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String proxy(String path) {
        return "http://127.0.0.1:" + server.port(Service.PROXY) + path;
    }

    public String management(String path) {
        return "http://127.0.0.1:" + server.port(Service.MANAGEMENT) + path;
    }

    /** Registers with the module's registry; fails the test unless it is created. */
    public JsonNode register(String json) {
        TestHttp.Reply reply = TestHttp.post(proxy(registryPath), json, "Authorization", M);
        assertEquals(201, reply.status(), reply.body());
        return reply.json().path(registeredField);
    }

    /** Creates a virtual key; its token and id. */
    public Key createKey(String json) {
        TestHttp.Reply reply = TestHttp.post(management("/api/enterprise/vkeys"), json, "Authorization", M);
        assertEquals(201, reply.status(), reply.body());
        return new Key(reply.json().path("token").asText(), reply.json().path("key_id").asText());
    }

    public record Key(String token, String id) {
        public String bearer() {
            return "Bearer " + token;
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
