package dev.smartflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.catalog.ModelCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** A real gateway on ephemeral ports, in-process, pointed at an {@link Upstream}, plus a plain HTTP client for it. */
final class Gateway implements AutoCloseable {
    static final String MASTER = "sk-test-master-0123456789";
    static final String UPSTREAM_KEY = "sk-upstream-secret-abcdef";
    static final String ANTHROPIC_KEY = "sk-ant-upstream-secret-abcdef";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType APPLICATION_JSON = MediaType.get("application/json");

    final SmartflowServer server;
    final OkHttpClient http = new OkHttpClient();

    Gateway(Upstream upstream, Path dataDir, Service... services) {
        this(upstream, dataDir, Map.of(), services);
    }

    /** A gateway whose Anthropic adapter is configured too, pointed at the same upstream. */
    static Gateway withAnthropic(Upstream upstream, Path dataDir) {
        return new Gateway(upstream, dataDir, Map.of("ANTHROPIC_API_KEY", ANTHROPIC_KEY,
                "ANTHROPIC_API_BASE", upstream.anthropicBase()));
    }

    Gateway(Upstream upstream, Path dataDir, Map<String, String> env, Service... services) {
        this(upstream, dataDir, Optional.empty(), env, services);
    }

    /** A gateway started with the YAML configuration {@code configFile} under {@code env}. */
    Gateway(Upstream upstream, Path dataDir, Optional<Path> configFile, Map<String, String> env,
            Service... services) {
        this(upstream, dataDir, configFile, env, InstantSource.system(), services);
    }

    /** A gateway that tells time by {@code clock}. */
    Gateway(Upstream upstream, Path dataDir, Optional<Path> configFile, Map<String, String> env, InstantSource clock,
            Service... services) {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, 0);
        }
        Set<Service> wanted = services.length == 0 ? EnumSet.of(Service.PROXY, Service.MANAGEMENT)
                : EnumSet.of(services[0], services);
        ServerConfig config = ServerConfig.load(configFile, env)
                .withPorts(ports).withServices(wanted).withDataDir(dataDir).withMasterKey(MASTER);
        Map<String, String> providerEnvironment = new HashMap<>(env);
        providerEnvironment.put("OPENAI_API_KEY", UPSTREAM_KEY);
        providerEnvironment.put("OPENAI_API_BASE", upstream.base());
        ProviderRegistry.Builder providers = ProviderRegistry.builder().environment(providerEnvironment);
        // as Main does
        config.catalogFile().ifPresent(file -> providers.catalog(ModelCatalog.bundled().withOverrides(file)));
        ProviderRegistry registry = providers.build();
        server = SmartflowServer.start(config, registry, ServerModule.discovered(), clock);
    }

    String url(Service service, String path) {
        return "http://127.0.0.1:" + server.port(service) + path;
    }

    String proxy(String path) {
        return url(Service.PROXY, path);
    }

    Response post(String url, String json, String... headers) throws IOException {
        Request.Builder request = new Request.Builder().url(url).post(RequestBody.create(json, APPLICATION_JSON));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.newCall(request.build()).execute();
    }

    /** {@code method} with a JSON body ({@code PUT}, {@code DELETE}) or none ({@code json} null). */
    Response send(String method, String url, String json, String... headers) throws IOException {
        Request.Builder request = new Request.Builder().url(url)
                .method(method, json == null ? null : RequestBody.create(json, APPLICATION_JSON));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.newCall(request.build()).execute();
    }

    Response get(String url, String... headers) throws IOException {
        Request.Builder request = new Request.Builder().url(url);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.newCall(request.build()).execute();
    }

    static JsonNode json(Response response) throws IOException {
        return JSON.readTree(response.body().string());
    }

    @Override
    public void close() {
        server.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
