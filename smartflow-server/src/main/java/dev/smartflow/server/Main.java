package dev.smartflow.server;

import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.catalog.ModelCatalog;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** The {@code smartflow} command line: {@code smartflow serve [--config FILE] [--data DIR] [--services LIST]}. */
public final class Main {
    private static final String USAGE = """
            usage: smartflow serve [--config smartflow.yaml] [--data DIR] [--services proxy,management,...]

              --config FILE     YAML configuration (see smartflow.example.yaml); environment variables override it
              --data DIR        data directory (default ./smartflow-data; env SMARTFLOW_DATA_DIR)
              --services LIST   services to start: proxy, management, compliance, policy, bridge (default: all)
            """;

    /** {@link #run} served until the process was asked to stop; the shutdown hook is finishing the exit. */
    static final int SERVED = -1;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err);
        if (code != SERVED) {
            System.exit(code);
        }
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (!args[0].equals("serve")) {
            err.println("unknown command '" + args[0] + "'");
            err.print(USAGE);
            return 2;
        }
        Optional<Path> file = Optional.empty();
        Optional<Path> data = Optional.empty();
        Optional<String> services = Optional.empty();
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                err.println("missing value after " + flag);
                return 2;
            }
            String value = args[++i];
            switch (flag) {
                case "--config" -> file = Optional.of(Path.of(value));
                case "--data" -> data = Optional.of(Path.of(value));
                case "--services" -> services = Optional.of(value);
                default -> {
                    err.println("unknown option '" + flag + "'");
                    err.print(USAGE);
                    return 2;
                }
            }
        }
        SmartflowServer server;
        try {
            ServerConfig config = ServerConfig.load(file, env);
            if (data.isPresent()) {
                config = config.withDataDir(data.get());
            }
            if (services.isPresent()) {
                config = config.withServices(ServerConfig.parseServices(services.get()));
            }
            MasterKey.Resolved key = MasterKey.resolve(config.masterKey(), config.dataDir());
            if (key.generated()) {
                out.println("Generated the master key (shown once; kept in "
                        + config.dataDir().resolve(MasterKey.FILE) + "):");
                out.println("  " + key.key());
            }
            config = config.withMasterKey(key.key());
            ProviderRegistry.Builder registry = ProviderRegistry.builder().environment(env);
            config.providers().forEach(registry::provider);
            config.defaultProvider().ifPresent(registry::defaultProvider);
            config.catalogFile().ifPresent(prices -> registry.catalog(ModelCatalog.bundled().withOverrides(prices)));
            server = SmartflowServer.start(config, registry.build());
            out.println("Smartflow is serving " + server.services() + " (proxy on port "
                    + (config.services().contains(Service.PROXY) ? server.port(Service.PROXY) : "-") + ")");
        } catch (IllegalArgumentException | IOException e) {
            err.println("smartflow: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "smartflow-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return SERVED;
    }
}
