package dev.smartflow.examples;

import dev.smartflow.client.SmartflowClient;
import dev.smartflow.client.SyncSmartflowClient;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import dev.smartflow.server.SmartflowServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where an example runs: the gateway named by {@code SMARTFLOW_URL} (with {@code SMARTFLOW_API_KEY}, and the other
 * services at their default ports or {@code SMARTFLOW_*_URL}), or else a gateway started here, in-process, with every
 * service on an ephemeral port, every module on the class path, a fresh data directory, a generated master key, and
 * OpenAI played by a {@link ScriptedUpstream}. Closing it stops what it started.
 */
public final class LocalGateway implements AutoCloseable {
    private final SyncSmartflowClient client;
    private final SmartflowServer server;
    private final ScriptedUpstream upstream;
    private final Path dataDir;
    private final List<String> modules;

    private LocalGateway(SyncSmartflowClient client, SmartflowServer server, ScriptedUpstream upstream, Path dataDir,
                         List<String> modules) {
        this.client = client;
        this.server = server;
        this.upstream = upstream;
        this.dataDir = dataDir;
        this.modules = modules;
    }

    /** The gateway of {@code SMARTFLOW_URL} when set, else a local one whose model answers with {@code replier}. */
    public static LocalGateway connect(ScriptedUpstream.Replier replier) {
        String url = System.getenv("SMARTFLOW_URL");
        if (url != null && !url.isBlank()) {
            return new LocalGateway(SmartflowClient.builder().fromEnv(System.getenv()).buildSync(), null, null,
                    null, List.of());
        }
        return start(replier);
    }

    /** A local gateway in front of a {@link ScriptedUpstream} answering with {@code replier}. */
    public static LocalGateway start(ScriptedUpstream.Replier replier) {
        ScriptedUpstream upstream = null;
        Path dataDir = null;
        try {
            upstream = ScriptedUpstream.start(replier);
            dataDir = Files.createTempDirectory("smartflow-example");
            Map<Service, Integer> ports = new EnumMap<>(Service.class);
            for (Service service : Service.values()) {
                ports.put(service, 0);
            }
            byte[] secret = new byte[16];
            new SecureRandom().nextBytes(secret);
            String masterKey = "sk-local-" + HexFormat.of().formatHex(secret);
            ServerConfig config = ServerConfig.load(Optional.empty(), Map.of()).withPorts(ports)
                    .withServices(EnumSet.allOf(Service.class)).withDataDir(dataDir).withMasterKey(masterKey);
            ProviderRegistry registry = ProviderRegistry.builder().environment(Map.of("OPENAI_API_KEY",
                    "sk-scripted-upstream", "OPENAI_API_BASE", upstream.base())).build();
            List<ServerModule> modules = ServerModule.discovered();
            SmartflowServer server = SmartflowServer.start(config, registry, modules);
            SyncSmartflowClient client = SmartflowClient.builder()
                    .baseUrl("http://127.0.0.1:" + server.port(Service.PROXY)).apiKey(masterKey)
                    .managementPort(server.port(Service.MANAGEMENT)).compliancePort(server.port(Service.COMPLIANCE))
                    .policyPort(server.port(Service.POLICY)).bridgePort(server.port(Service.BRIDGE)).buildSync();
            return new LocalGateway(client, server, upstream, dataDir,
                    modules.stream().map(ServerModule::name).toList());
        } catch (IOException e) {
            cleanUp(upstream, dataDir);
            throw new UncheckedIOException("the local gateway could not start", e);
        } catch (RuntimeException e) {
            cleanUp(upstream, dataDir);
            throw e;
        }
    }

    /** A client of this gateway, holding its master key. */
    public SyncSmartflowClient client() {
        return client;
    }

    /** The scripted provider, when this gateway was started here. */
    public Optional<ScriptedUpstream> upstream() {
        return Optional.ofNullable(upstream);
    }

    /** Whether the server module {@code name} ({@code cache}, {@code compliance}...) is installed here. */
    public boolean hasModule(String name) {
        return server == null || modules.contains(name);
    }

    @Override
    public void close() {
        client.close();
        if (server != null) {
            server.close();
        }
        cleanUp(upstream, dataDir);
    }

    private static void cleanUp(ScriptedUpstream upstream, Path dataDir) {
        if (upstream != null) {
            upstream.close();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind is harmless
            }
        }
    }
}
