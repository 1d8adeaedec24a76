package dev.smartflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.server.http.BodyBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Everything {@code smartflow serve} needs, from three layers: defaults, then the YAML file ({@code --config}), then
 * environment variables; command-line flags win over all. Provider keys and bases are read by the provider registry
 * from {@code <NAME>_API_KEY} / {@code <NAME>_API_BASE} on top of the file's {@code providers} section.
 *
 * @param host            the address every service binds ({@code SMARTFLOW_HOST}, default all interfaces)
 * @param ports           the port of each service ({@code PROXY_PORT}, ...); 0 picks a free port
 * @param services        the services to start ({@code --services}, {@code SMARTFLOW_SERVICES})
 * @param dataDir         where the master key and, later, the embedded database live ({@code --data},
 *                        {@code SMARTFLOW_DATA_DIR})
 * @param masterKey       {@code SMARTFLOW_MASTER_KEY}; when absent one is generated once and kept in the data dir
 * @param maxRequestBytes the largest request body accepted ({@code SMARTFLOW_MAX_REQUEST_BYTES}), else 413
 * @param maxAudioBytes   the largest audio file {@code /v1/audio/transcriptions} accepts ({@code max_audio_bytes},
 *                        {@code SMARTFLOW_MAX_AUDIO_BYTES}; default 25 MiB, OpenAI's own limit), else 413
 * @param maxInflightBodyBytes the heap that request bodies in flight may take together, what parsing them costs
 *                        included ({@code max_inflight_body_bytes}, {@code SMARTFLOW_MAX_INFLIGHT_BODY_BYTES}); absent
 *                        means half the heap, or more to fit one body of {@code maxRequestBytes}. See
 *                        {@link BodyBudget#defaultLimit}
 * @param providers       provider settings from the file
 * @param defaultProvider where model names that no rule recognises go ({@code SMARTFLOW_DEFAULT_PROVIDER})
 * @param catalogFile     model prices that replace or add to the bundled catalog ({@code catalog_file},
 *                        {@code SMARTFLOW_CATALOG_FILE}); same format as the bundled {@code models.json}
 * @param databaseUrl     the durable store ({@code database_url}, {@code SMARTFLOW_DATABASE_URL}):
 *                        {@code jdbc:postgresql:...} or {@code jdbc:h2:...}; absent means H2 in the data dir
 * @param redisUrl        the shared hot state ({@code redis_url}, {@code SMARTFLOW_REDIS_URL}); absent means in-process
 *                        memory, for a single instance
 * @param audit           how audit records are batched to the database ({@code audit}, {@code SMARTFLOW_AUDIT_*})
 * @param alerts          webhook alerts (the {@code alerts} section, {@code SMARTFLOW_ALERTS_ENABLED},
 *                        {@code SLACK_WEBHOOK_URL}, ...; see {@link AlertSettings})
 * @param state           the shared-state timeout and outage policy ({@code state}, {@code SMARTFLOW_STATE_*}; see
 *                        {@link StateSettings})
 * @param routing         fallback chains declared in the file, the default chain ({@code routing.default_chain},
 *                        {@code SMARTFLOW_DEFAULT_CHAIN}) and circuit settings (see {@link RoutingSettings})
 * @param file            the configuration file as read (an empty object without one): modules read their own
 *                        sections from it ({@link #section})
 */
public record ServerConfig(String host, Map<Service, Integer> ports, Set<Service> services, Path dataDir,
                           Optional<String> masterKey, long maxRequestBytes, long maxAudioBytes,
                           OptionalLong maxInflightBodyBytes, List<ProviderSettings> providers,
                           Optional<String> defaultProvider, Optional<Path> catalogFile, Optional<String> databaseUrl,
                           Optional<String> redisUrl, AuditSettings audit,
                           AlertSettings alerts, StateSettings state, RoutingSettings routing, JsonNode file) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** OpenAI's own limit for an audio file. */
    public static final long DEFAULT_MAX_AUDIO_BYTES = 25L * 1024 * 1024;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        ports = Map.copyOf(ports);
        services = Set.copyOf(services);
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(masterKey, "masterKey");
        providers = List.copyOf(providers);
        Objects.requireNonNull(defaultProvider, "defaultProvider");
        Objects.requireNonNull(catalogFile, "catalogFile");
        Objects.requireNonNull(databaseUrl, "databaseUrl");
        Objects.requireNonNull(redisUrl, "redisUrl");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(alerts, "alerts");
        file = Objects.requireNonNull(file, "file").deepCopy();
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(routing, "routing");
        if (maxRequestBytes < 1024) {
            throw new IllegalArgumentException("max request size must be at least 1024 bytes");
        }
        if (maxAudioBytes < 1024) {
            throw new IllegalArgumentException("max audio size must be at least 1024 bytes");
        }
        Objects.requireNonNull(maxInflightBodyBytes, "maxInflightBodyBytes");
        if (maxInflightBodyBytes.isPresent() && maxInflightBodyBytes.getAsLong() < 1024 * 1024) {
            throw new IllegalArgumentException("max_inflight_body_bytes must be at least 1 MiB (1048576 bytes)");
        }
        for (Service service : Service.values()) {
            int port = ports.getOrDefault(service, -1);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(service.portVariable() + " must be a port number, not " + port);
            }
        }
        if (services.isEmpty()) {
            throw new IllegalArgumentException("at least one service must be started");
        }
    }

    public int port(Service service) {
        return ports.get(service);
    }

    /** The body budget in bytes: the configured one, else {@link BodyBudget#defaultLimit} for this JVM's heap. */
    public long inflightBodyBytes() {
        return maxInflightBodyBytes.orElseGet(() -> BodyBudget.defaultLimit(maxRequestBytes));
    }

    /** Defaults, then {@code file} if given, then {@code env}. */
    public static ServerConfig load(Optional<Path> file, Map<String, String> env) {
        JsonNode root = file.map(ServerConfig::readYaml).orElse(YAML.createObjectNode());

        String host = env.getOrDefault("SMARTFLOW_HOST", root.path("host").asText("0.0.0.0"));

        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            String fromEnv = env.get(service.portVariable());
            JsonNode fromFile = root.path("ports").path(service.id());
            ports.put(service, fromEnv != null ? integer(service.portVariable(), fromEnv)
                    : fromFile.isMissingNode() ? service.defaultPort() : integer("ports." + service.id(),
                    fromFile.asText()));
        }

        Set<Service> services = EnumSet.allOf(Service.class);
        if (env.containsKey("SMARTFLOW_SERVICES")) {
            services = parseServices(env.get("SMARTFLOW_SERVICES"));
        } else if (root.path("services").isArray()) {
            List<String> ids = new ArrayList<>();
            root.path("services").forEach(s -> ids.add(s.asText()));
            services = parseServices(String.join(",", ids));
        }

        Path dataDir = Path.of(env.getOrDefault("SMARTFLOW_DATA_DIR", root.path("data_dir").asText("smartflow-data")));
        Optional<String> masterKey = Optional.ofNullable(env.get("SMARTFLOW_MASTER_KEY")).filter(k -> !k.isBlank());
        long maxRequestBytes = env.containsKey("SMARTFLOW_MAX_REQUEST_BYTES")
                ? integer("SMARTFLOW_MAX_REQUEST_BYTES", env.get("SMARTFLOW_MAX_REQUEST_BYTES"))
                : root.path("max_request_bytes").asLong(32L * 1024 * 1024);
        long maxAudioBytes = env.containsKey("SMARTFLOW_MAX_AUDIO_BYTES")
                ? integer("SMARTFLOW_MAX_AUDIO_BYTES", env.get("SMARTFLOW_MAX_AUDIO_BYTES"))
                : root.path("max_audio_bytes").asLong(DEFAULT_MAX_AUDIO_BYTES);
        String inflight = env.containsKey("SMARTFLOW_MAX_INFLIGHT_BODY_BYTES")
                ? env.get("SMARTFLOW_MAX_INFLIGHT_BODY_BYTES")
                : root.path("max_inflight_body_bytes").isValueNode() ? root.path("max_inflight_body_bytes").asText()
                : null;
        OptionalLong maxInflightBodyBytes = inflight == null || inflight.isBlank() ? OptionalLong.empty()
                : OptionalLong.of(wholeNumber("max_inflight_body_bytes", inflight));
        Optional<String> defaultProvider = Optional.ofNullable(env.get("SMARTFLOW_DEFAULT_PROVIDER"))
                .or(() -> Optional.ofNullable(root.path("routing").path("default_provider").textValue()))
                .filter(p -> !p.isBlank());
        Optional<Path> catalogFile = Optional.ofNullable(env.get("SMARTFLOW_CATALOG_FILE"))
                .or(() -> Optional.ofNullable(root.path("catalog_file").textValue()))
                .filter(f -> !f.isBlank()).map(Path::of);
        Optional<String> databaseUrl = setting(env, "SMARTFLOW_DATABASE_URL", root, "database_url");
        Optional<String> redisUrl = setting(env, "SMARTFLOW_REDIS_URL", root, "redis_url");

        AlertSettings alerts = AlertSettings.load(root.path("alerts"), env);

        return new ServerConfig(host, ports, services, dataDir, masterKey, maxRequestBytes, maxAudioBytes,
                maxInflightBodyBytes, providers(root), defaultProvider, catalogFile, databaseUrl, redisUrl,
                audit(root.path("audit"), env), alerts, StateSettings.load(root.path("state"), env),
                RoutingSettings.load(root.path("routing"), env), root);
    }

    public ServerConfig withServices(Set<Service> newServices) {
        return new ServerConfig(host, ports, newServices, dataDir, masterKey, maxRequestBytes, maxAudioBytes,
                maxInflightBodyBytes, providers, defaultProvider, catalogFile, databaseUrl, redisUrl, audit, alerts,
                state, routing, file);
    }

    public ServerConfig withDataDir(Path newDataDir) {
        return new ServerConfig(host, ports, services, newDataDir, masterKey, maxRequestBytes, maxAudioBytes,
                maxInflightBodyBytes, providers, defaultProvider, catalogFile, databaseUrl, redisUrl, audit, alerts,
                state, routing, file);
    }

    public ServerConfig withPorts(Map<Service, Integer> newPorts) {
        return new ServerConfig(host, newPorts, services, dataDir, masterKey, maxRequestBytes, maxAudioBytes,
                maxInflightBodyBytes, providers, defaultProvider, catalogFile, databaseUrl, redisUrl, audit, alerts,
                state, routing, file);
    }

    public ServerConfig withMasterKey(String key) {
        return new ServerConfig(host, ports, services, dataDir, Optional.of(key), maxRequestBytes, maxAudioBytes,
                maxInflightBodyBytes, providers, defaultProvider, catalogFile, databaseUrl, redisUrl, audit, alerts,
                state, routing, file);
    }

    public ServerConfig withAudit(AuditSettings newAudit) {
        return new ServerConfig(host, ports, services, dataDir, masterKey, maxRequestBytes, maxAudioBytes,
                maxInflightBodyBytes, providers, defaultProvider, catalogFile, databaseUrl, redisUrl, newAudit, alerts,
                state, routing, file);
    }

    /**
     * The configuration file's section {@code name} (a module's settings, e.g. {@code cache:}); the missing node when
     * the file has none.
     */
    public JsonNode section(String name) {
        return file.path(name).deepCopy();
    }

    public ServerConfig withRouting(RoutingSettings newRouting) {
        return new ServerConfig(host, ports, services, dataDir, masterKey, maxRequestBytes, maxAudioBytes,
                maxInflightBodyBytes, providers, defaultProvider, catalogFile, databaseUrl, redisUrl, audit, alerts, state,
                newRouting, file);
    }

    /** The configuration with secrets masked, for the startup log. */
    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", ports=" + ports + ", services=" + services + ", dataDir=" + dataDir
                + ", masterKey=" + (masterKey.isPresent() ? "██" : "generated") + ", maxRequestBytes="
                + maxRequestBytes + ", maxAudioBytes=" + maxAudioBytes + ", maxInflightBodyBytes="
                + (maxInflightBodyBytes.isPresent() ? maxInflightBodyBytes.getAsLong() : "from the heap")
                + ", providers=" + providers + ", defaultProvider=" + defaultProvider
                + ", catalogFile=" + catalogFile.map(Path::toString).orElse("none")
                + ", databaseUrl=" + databaseUrl.map(ServerConfig::masked).orElse("h2 in the data dir")
                + ", redisUrl=" + redisUrl.map(ServerConfig::masked).orElse("in-memory") + ", audit=" + audit
                + ", alerts=" + alerts + ", state=" + state + ", routing=" + routing + "]";
    }

    /** A URL without its credentials: user info and query parameters (where JDBC URLs carry passwords) hidden. */
    static String masked(String url) {
        return url.replaceAll("//[^/@]*@", "//██@").replaceAll("[?;].*$", "?██");
    }

    private static Optional<String> setting(Map<String, String> env, String variable, JsonNode root, String field) {
        return Optional.ofNullable(env.get(variable))
                .or(() -> Optional.ofNullable(root.path(field).textValue()))
                .map(String::strip).filter(v -> !v.isEmpty());
    }

    /** The {@code audit} section, each value overridden by its {@code SMARTFLOW_AUDIT_*} variable. */
    private static AuditSettings audit(JsonNode section, Map<String, String> env) {
        AuditSettings d = AuditSettings.DEFAULTS;
        String batch = auditValue(section, env, "batch_size");
        String flush = auditValue(section, env, "flush_interval");
        String pending = auditValue(section, env, "max_pending");
        String drain = auditValue(section, env, "drain_timeout");
        String journal = auditValue(section, env, "journal");
        return new AuditSettings(batch == null ? d.batchSize() : integer("audit.batch_size", batch),
                flush == null ? d.flushInterval() : duration("audit.flush_interval", flush),
                pending == null ? d.maxPending() : integer("audit.max_pending", pending),
                drain == null ? d.drainTimeout() : duration("audit.drain_timeout", drain),
                journal == null ? d.journal() : bool("audit.journal", journal));
    }

    private static boolean bool(String what, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(what + " must be true or false, not '" + value + "'");
        };
    }

    private static String auditValue(JsonNode section, Map<String, String> env, String field) {
        String fromEnv = env.get("SMARTFLOW_AUDIT_" + field.toUpperCase(Locale.ROOT));
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        JsonNode value = section.path(field);
        return value.isMissingNode() || value.isNull() ? null : value.asText();
    }

    public static Set<Service> parseServices(String list) {
        Set<Service> services = EnumSet.noneOf(Service.class);
        for (String id : list.split(",")) {
            if (!id.isBlank()) {
                services.add(Service.parse(id));
            }
        }
        return services;
    }

    private static List<ProviderSettings> providers(JsonNode root) {
        List<ProviderSettings> providers = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("providers").properties().iterator();
             it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey().toLowerCase(Locale.ROOT);
            JsonNode p = entry.getValue();
            ProviderSettings settings = ProviderSettings.of(name);
            if (p.hasNonNull("api_key")) {
                settings = settings.withApiKey(p.get("api_key").asText());
            }
            if (p.hasNonNull("api_base")) {
                settings = settings.withApiBase(p.get("api_base").asText());
            }
            if (p.hasNonNull("api_version")) {
                settings = settings.withApiVersion(p.get("api_version").asText());
            }
            if (p.hasNonNull("timeout")) {
                settings = settings.withTimeout(duration("providers." + name + ".timeout", p.get("timeout").asText()));
            }
            if (p.hasNonNull("stream_idle_timeout")) {
                settings = settings.withStreamIdleTimeout(duration("providers." + name + ".stream_idle_timeout",
                        p.get("stream_idle_timeout").asText()));
            }
            providers.add(settings);
        }
        return providers;
    }

    private static JsonNode readYaml(Path file) {
        try {
            JsonNode root = YAML.readTree(Files.readAllBytes(file));
            if (root == null || root.isMissingNode() || root.isNull()) {
                return YAML.createObjectNode();
            }
            if (!root.isObject()) {
                throw new IllegalArgumentException(file + ": the configuration must be a YAML mapping");
            }
            return root;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read configuration " + file + ": " + e.getMessage(), e);
        }
    }

    private static long wholeNumber(String what, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not '" + value + "'");
        }
    }

    private static int integer(String what, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not '" + value + "'");
        }
    }

    /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, a plain number of seconds, or ISO-8601 ({@code PT5M}). */
    public static Duration duration(String what, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).strip()));
            }
            char unit = v.charAt(v.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofSeconds(Long.parseLong(v));
            }
            long amount = Long.parseLong(v.substring(0, v.length() - 1).strip());
            return switch (unit) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> throw new NumberFormatException(v);
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(what + " must be a duration such as 30s, 5m or 250ms, not '" + value
                    + "'");
        }
    }
}
