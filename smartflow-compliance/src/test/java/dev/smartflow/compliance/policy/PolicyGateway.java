package dev.smartflow.compliance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import dev.smartflow.server.SmartflowServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A real gateway on ephemeral ports with the policy module installed (and no other), pointed at a {@link FakeOpenAi},
 * plus a plain HTTP client that speaks to it with the master key.
 */
final class PolicyGateway implements AutoCloseable {
    static final String MASTER = "sk-test-master-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType APPLICATION_JSON = MediaType.get("application/json");

    final SmartflowServer server;
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

    /**
     * @param yaml the configuration file's text (the {@code policy} section, ...); empty for none
     * @param env  environment variables the configuration reads ({@code SMARTFLOW_DATABASE_URL}, ...)
     */
    PolicyGateway(Path dataDir, FakeOpenAi upstream, String yaml, Optional<Embedder> embedder,
                  Map<String, String> env) {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, 0);
        }
        Optional<Path> file = Optional.empty();
        if (!yaml.isBlank()) {
            try {
                Files.createDirectories(dataDir);
                file = Optional.of(Files.writeString(dataDir.resolve("smartflow.yaml"), yaml));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ServerConfig config = ServerConfig.load(file, env).withPorts(ports)
                .withServices(EnumSet.of(Service.PROXY, Service.MANAGEMENT, Service.POLICY))
                .withDataDir(dataDir).withMasterKey(MASTER);
        ProviderRegistry registry = ProviderRegistry.builder().environment(Map.of("OPENAI_API_KEY",
                "sk-upstream-secret", "OPENAI_API_BASE", upstream.base())).build();
        List<ServerModule> modules = List.of(new PolicyModule(embedder, PolicyDetectors.builtIn()));
        server = SmartflowServer.start(config, registry, modules);
    }

    PolicyGateway(Path dataDir, FakeOpenAi upstream, String yaml) {
        this(dataDir, upstream, yaml, Optional.of(new WordsEmbedder()), Map.of());
    }

    String url(Service service, String path) {
        return "http://127.0.0.1:" + server.port(service) + path;
    }

    String policy(String path) {
        return url(Service.POLICY, path);
    }

    /** {@code method} on the policy service with the master key and a JSON body ({@code null} for none). */
    Answer admin(String method, String path, String json) {
        return send(method, policy(path), json, "Authorization", "Bearer " + MASTER);
    }

    Answer send(String method, String url, String json, String... headers) {
        Request.Builder request = new Request.Builder().url(url)
                .method(method, json == null ? (method.equals("POST") || method.equals("PUT")
                        || method.equals("PATCH") ? RequestBody.create(new byte[0]) : null)
                        : RequestBody.create(json, APPLICATION_JSON));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return execute(request.build());
    }

    /** Uploads {@code bytes} as the form's {@code file} (named {@code filename}) to the document route. */
    Answer upload(String filename, String contentType, byte[] bytes, String... fields) {
        MultipartBody.Builder form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", filename, RequestBody.create(bytes, MediaType.get(contentType)));
        for (int i = 0; i < fields.length; i += 2) {
            form.addFormDataPart(fields[i], fields[i + 1]);
        }
        return execute(new Request.Builder().url(policy("/api/policies/generate"))
                .header("Authorization", "Bearer " + MASTER).post(form.build()).build());
    }

    /** A chat completion on the proxy, presenting {@code key}. */
    Answer chat(String key, String model, String content) {
        String body = JSON.createObjectNode().put("model", model).set("messages", JSON.createArrayNode()
                .add(JSON.createObjectNode().put("role", "user").put("content", content))).toString();
        return send("POST", url(Service.PROXY, "/v1/chat/completions"), body, "Authorization", "Bearer " + key);
    }

    /** A virtual key made through the management API; its token. */
    Key key(String name, String owner, Map<String, String> tags) {
        ObjectNode body = JSON.createObjectNode().put("name", name).put("owner_id", owner);
        ObjectNode tagNode = body.putObject("tags");
        tags.forEach(tagNode::put);
        Answer created = send("POST", url(Service.MANAGEMENT, "/api/enterprise/vkeys"), body.toString(),
                "Authorization", "Bearer " + MASTER);
        if (created.status() != 201) {
            throw new AssertionError("key not created: " + created);
        }
        return new Key(created.json().path("key_id").asText(), created.json().path("token").asText());
    }

    /** The audit log's newest records, as the management API lists them. */
    JsonNode auditLog() {
        return send("GET", url(Service.MANAGEMENT, "/api/vas/logs?limit=100"), null, "Authorization",
                "Bearer " + MASTER).json().path("data");
    }

    private Answer execute(Request request) {
        try (Response response = http.newCall(request).execute()) {
            return new Answer(response.code(), response.body().string());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Key(String id, String token) {
    }

    /** An answer: its status and body. */
    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** The OpenAI error's code, param and type, for assertions. */
        String errorCode() {
            return json().path("error").path("code").asText(null);
        }

        String errorParam() {
            return json().path("error").path("param").asText(null);
        }
    }

    @Override
    public void close() {
        server.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
