package dev.smartflow.cache.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smartflow.cache.Semantic;
import dev.smartflow.cache.index.FlatVectorIndex;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import dev.smartflow.server.SmartflowServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A real gateway (proxy and management) on ephemeral ports with the vector store routes installed, either by a
 * module that wires them to a {@link WordEmbedder} (fast, and holdable to watch progress) or by the cache module
 * itself with the real model; plus a plain HTTP client. No provider is configured: the vector stores need none.
 */
final class RagServer implements AutoCloseable {
    static final String MASTER = "sk-test-master-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType APPLICATION_JSON = MediaType.get("application/json");

    final SmartflowServer server;
    final OkHttpClient http = new OkHttpClient();

    RagServer(Path dataDir, String yaml, ServerModule module) throws IOException {
        Files.createDirectories(dataDir);
        Path file = Files.writeString(dataDir.resolve("smartflow.yaml"), yaml.isEmpty() ? "{}\n" : yaml);
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, 0);
        }
        ServerConfig config = ServerConfig.load(Optional.of(file), Map.of()).withPorts(ports)
                .withServices(EnumSet.of(Service.PROXY, Service.MANAGEMENT)).withDataDir(dataDir)
                .withMasterKey(MASTER);
        server = SmartflowServer.start(config, ProviderRegistry.builder().environment(Map.of()).build(),
                List.of(module));
    }

    /** A module named {@code cache} (it reads the {@code cache:} section) installing the routes on {@code embedder}. */
    static ServerModule wordsModule(WordEmbedder embedder) {
        return new ServerModule() {
            @Override
            public String name() {
                return "cache";
            }

            @Override
            public void install(ModuleContext context) {
                Semantic semantic = Semantic.of(embedder, new FlatVectorIndex(), context.clock());
                context.closeWith(semantic);
                VectorStoreRoutes.install(context, semantic);
            }
        };
    }

    /** Creates a virtual key with {@code tags} on the management API; its token. */
    String virtualKey(String name, String tags, String limits) throws IOException {
        String body = "{\"name\":\"" + name + "\",\"owner_id\":\"owner\",\"tags\":" + tags
                + (limits.isEmpty() ? "" : "," + limits) + "}";
        try (Response created = send("POST", url(Service.MANAGEMENT, "/api/enterprise/vkeys"), body, MASTER)) {
            JsonNode answer = JSON.readTree(created.body().string());
            if (created.code() != 201) {
                throw new IllegalStateException("key not created: " + answer);
            }
            return answer.path("token").asText();
        }
    }

    String url(Service service, String path) {
        return "http://127.0.0.1:" + server.port(service) + path;
    }

    String proxy(String path) {
        return url(Service.PROXY, path);
    }

    /** {@code method} with a JSON body, or none when {@code json} is null, as {@code key} (none when null). */
    Response send(String method, String url, String json, String key) throws IOException {
        Request.Builder request = new Request.Builder().url(url)
                .method(method, json == null ? null : RequestBody.create(json, APPLICATION_JSON));
        if (key != null) {
            request.header("authorization", "Bearer " + key);
        }
        return http.newCall(request.build()).execute();
    }

    /** The answer's status and JSON body. */
    Answer call(String method, String path, String json, String key) throws IOException {
        try (Response response = send(method, proxy(path), json, key)) {
            String body = response.body().string();
            return new Answer(response.code(), body.isEmpty() ? JSON.missingNode() : JSON.readTree(body));
        }
    }

    record Answer(int status, JsonNode json) {
        String text(String field) {
            return json.path(field).asText();
        }

        @Override
        public String toString() {
            return status + " " + json;
        }
    }

    @Override
    public void close() {
        server.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
