package dev.smartflow.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.server.module.SecretBox;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Okio;

/**
 * The OAuth client the gateway is to an {@code oauth_user} server: the pre-registered one of its registration
 * ({@code auth.client_id}, {@code authorization_url}, {@code token_url}), or, when it names no client, one the gateway
 * registers itself, as the MCP authorization specification describes:
 *
 * <ol>
 *   <li><b>Protected resource metadata</b> (RFC 9728): the URL the server's 401 names in
 *       {@code WWW-Authenticate: Bearer resource_metadata="..."}, else {@code /.well-known/oauth-protected-resource}
 *       with the server's path, then at the root. Its {@code authorization_servers[0]} is the issuer, its
 *       {@code resource} the {@code resource} parameter (RFC 8707) of the authorization and token requests.</li>
 *   <li><b>Authorization server metadata</b> (RFC 8414, or OpenID Connect discovery): the well-known URLs of the
 *       issuer in the specification's order. It must offer PKCE with S256 and a {@code registration_endpoint}.</li>
 *   <li><b>Dynamic client registration</b> (RFC 7591): once per server, with the gateway's callback as its only
 *       redirect URI, for the authorization code and refresh token grants. The client id and secret (if the server
 *       issued one) are sealed with the server secrets' {@link SecretBox} and kept in the database beside the users'
 *       tokens (under a subject no key has), so every instance, and a restarted one, uses the same client, and
 *       they go when the server is removed. A changed callback URL or {@code base_url} registers anew.</li>
 * </ol>
 *
 * <p>Every answer is checked: metadata must be JSON objects with http(s) URLs, a registration must return a
 * {@code client_id}; anything else is an {@link RpcError} (-31502) naming the step. Nothing secret is logged.
 *
 * <p>Thread-safe; registration is serialized per server on this instance.
 */
final class OAuthClients {
    /** The subject under which a server's registered client is stored (key ids never contain {@code @}). */
    static final String SUBJECT = "@gateway-client";
    private static final MediaType JSON = MediaType.get("application/json");
    private static final Pattern RESOURCE_METADATA = Pattern.compile("resource_metadata=\"([^\"]+)\"");
    private static final System.Logger LOG = System.getLogger(OAuthClients.class.getName());

    /**
     * The client for one server: where users authorize, where codes and refresh tokens are redeemed, who the gateway
     * is there.
     *
     * @param resource   the {@code resource} parameter, if any
     * @param registered whether the gateway registered itself (then {@code resource} goes to the token requests too)
     */
    record Client(URI authorizeUrl, URI tokenUrl, String clientId, Optional<String> clientSecret,
                  Optional<String> resource, boolean registered, String redirectUri, String baseUrl) {
        Client {
            Objects.requireNonNull(authorizeUrl, "authorizeUrl");
            Objects.requireNonNull(tokenUrl, "tokenUrl");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            Objects.requireNonNull(resource, "resource");
        }

        String seal(SecretBox box) {
            ObjectNode json = Body.MAPPER.createObjectNode().put("authorization_endpoint", authorizeUrl.toString())
                    .put("token_endpoint", tokenUrl.toString()).put("client_id", clientId)
                    .put("redirect_uri", redirectUri).put("base_url", baseUrl);
            clientSecret.ifPresent(secret -> json.put("client_secret", secret));
            resource.ifPresent(r -> json.put("resource", r));
            return box.seal(json.toString());
        }

        static Client open(SecretBox box, String sealed) {
            try {
                JsonNode json = Body.MAPPER.readTree(box.open(sealed));
                return new Client(URI.create(json.path("authorization_endpoint").asText()),
                        URI.create(json.path("token_endpoint").asText()), json.path("client_id").asText(),
                        Optional.ofNullable(json.get("client_secret")).map(JsonNode::asText),
                        Optional.ofNullable(json.get("resource")).map(JsonNode::asText), true,
                        json.path("redirect_uri").asText(), json.path("base_url").asText());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a sealed OAuth client is not JSON");
            }
        }

        @Override
        public String toString() {
            return "Client[" + clientId + (registered ? ", registered" : "") + "]";
        }
    }

    private final McpStore store;
    private final SecretBox box;
    private final HttpTransport http;
    private final InstantSource clock;
    private final Duration timeout;
    private final Map<String, ReentrantLock> registering = new ConcurrentHashMap<>();

    OAuthClients(McpStore store, SecretBox box, HttpTransport http, InstantSource clock, Duration timeout) {
        this.store = store;
        this.box = box;
        this.http = http;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** The client to send a user to authorize with, redirected to {@code redirectUri}; registered if need be. */
    Client forAuthorization(Registry.Entry entry, String redirectUri) {
        ServerDefinition.Auth auth = entry.definition().auth();
        if (auth.clientId().isPresent()) {
            return preRegistered(entry, redirectUri);
        }
        String baseUrl = baseUrl(entry);
        ReentrantLock lock = registering.computeIfAbsent(entry.id(), id -> new ReentrantLock());
        lock.lock();
        try {
            Optional<Client> stored = stored(entry);
            if (stored.isPresent() && stored.get().redirectUri().equals(redirectUri)
                    && stored.get().baseUrl().equals(baseUrl)) {
                return stored.get();
            }
            Client registered = register(entry, baseUrl, redirectUri);
            store.putToken(new McpStore.Token(entry.id(), SUBJECT, registered.seal(box), clock.instant()));
            LOG.log(System.Logger.Level.INFO, "registered the gateway as OAuth client " + registered.clientId()
                    + " of MCP server '" + entry.id() + "'");
            return registered;
        } finally {
            lock.unlock();
        }
    }

    /** The client tokens of {@code entry} were issued to (for redeeming and refreshing); empty if none is known. */
    Optional<Client> current(Registry.Entry entry) {
        if (entry.definition().auth().clientId().isPresent()) {
            return Optional.of(preRegistered(entry, ""));
        }
        return stored(entry);
    }

    private Client preRegistered(Registry.Entry entry, String redirectUri) {
        ServerDefinition.Auth auth = entry.definition().auth();
        return new Client(auth.authorizeUrl().orElseThrow(), auth.tokenUrl().orElseThrow(), auth.clientId().get(),
                entry.secrets().clientSecret(), auth.audience(), false, redirectUri, "");
    }

    private Optional<Client> stored(Registry.Entry entry) {
        return store.token(entry.id(), SUBJECT).map(t -> Client.open(box, t.sealed()));
    }

    private static String baseUrl(Registry.Entry entry) {
        if (entry.definition().transport() instanceof ServerDefinition.Http h) {
            return h.baseUrl().toString();
        }
        throw RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + entry.id() + "' has no base_url to discover "
                + "its authorization server from").because("oauth_discovery_failed");
    }

    /** Discovery and registration, in the order of the MCP authorization specification. */
    private Client register(Registry.Entry entry, String baseUrl, String redirectUri) {
        String id = entry.id();
        URI mcp = URI.create(baseUrl);
        JsonNode resourceMetadata = firstJson(id, "protected resource metadata", resourceMetadataUrls(mcp));
        JsonNode issuers = resourceMetadata.path("authorization_servers");
        if (!issuers.isArray() || issuers.isEmpty() || !issuers.get(0).isTextual()) {
            throw failed(id, "its protected resource metadata names no authorization_servers");
        }
        URI issuer = url(id, issuers.get(0).asText(), "authorization_servers[0]");
        Optional<String> resource = entry.definition().auth().audience()
                .or(() -> Optional.ofNullable(resourceMetadata.get("resource")).filter(JsonNode::isTextual)
                        .map(JsonNode::asText));
        JsonNode metadata = firstJson(id, "authorization server metadata", authorizationServerUrls(issuer));
        boolean s256 = false;
        for (JsonNode method : metadata.path("code_challenge_methods_supported")) {
            s256 |= method.asText().equals("S256");
        }
        if (!s256) {
            throw failed(id, "its authorization server does not offer PKCE with S256");
        }
        URI authorize = url(id, metadata.path("authorization_endpoint").asText(""), "authorization_endpoint");
        URI token = url(id, metadata.path("token_endpoint").asText(""), "token_endpoint");
        if (!metadata.path("registration_endpoint").isTextual()) {
            throw failed(id, "its authorization server offers no dynamic client registration; register a client "
                    + "there and give its auth.client_id");
        }
        URI registration = url(id, metadata.path("registration_endpoint").asText(), "registration_endpoint");
        ObjectNode request = Body.MAPPER.createObjectNode().put("client_name", "Smartflow MCP gateway")
                .put("token_endpoint_auth_method", "none");
        request.putArray("redirect_uris").add(redirectUri);
        request.putArray("grant_types").add("authorization_code").add("refresh_token");
        request.putArray("response_types").add("code");
        List<String> scopes = entry.definition().auth().scopes();
        if (!scopes.isEmpty()) {
            request.put("scope", String.join(" ", scopes));
        }
        JsonNode answer = send(id, new Request.Builder().url(registration.toString())
                .header("Accept", "application/json").post(RequestBody.create(request.toString(), JSON)),
                "client registration").orElseThrow(() -> failed(id, "its client registration endpoint refused the "
                + "gateway"));
        if (!answer.path("client_id").isTextual() || answer.path("client_id").asText().isEmpty()) {
            throw failed(id, "its client registration returned no client_id");
        }
        Optional<String> secret = Optional.ofNullable(answer.get("client_secret")).filter(JsonNode::isTextual)
                .map(JsonNode::asText).filter(s -> !s.isEmpty());
        return new Client(authorize, token, answer.path("client_id").asText(), secret, resource, true, redirectUri,
                baseUrl);
    }

    /** Where the server's resource metadata may be: the 401's pointer first, then the well-known URLs. */
    private List<URI> resourceMetadataUrls(URI mcp) {
        List<URI> urls = new ArrayList<>();
        Request.Builder probe = new Request.Builder().url(mcp.toString())
                .header("Accept", "application/json, text/event-stream")
                .post(RequestBody.create(JsonRpc.request(JsonRpc.NODES.numberNode(1), "initialize",
                        JsonRpc.NODES.objectNode()).toString(), JSON));
        Call call = http.client().newCall(probe.build());
        try (Deadline deadline = http.deadline(call, timeout); Response response = call.execute()) {
            for (String challenge : response.headers("WWW-Authenticate")) {
                Matcher matcher = RESOURCE_METADATA.matcher(challenge);
                if (matcher.find()) {
                    try {
                        urls.add(mcp.resolve(new URI(matcher.group(1))));
                    } catch (URISyntaxException | IllegalArgumentException e) {
                        LOG.log(System.Logger.Level.DEBUG, "a resource_metadata that is not a URL");
                    }
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "probing an MCP server for its metadata failed: " + e);
        }
        String path = mcp.getRawPath() == null || mcp.getRawPath().equals("/") ? "" : mcp.getRawPath();
        if (!path.isEmpty()) {
            urls.add(mcp.resolve("/.well-known/oauth-protected-resource" + path));
        }
        urls.add(mcp.resolve("/.well-known/oauth-protected-resource"));
        return urls;
    }

    /** RFC 8414 and OpenID discovery URLs of {@code issuer}, in the MCP specification's order. */
    private static List<URI> authorizationServerUrls(URI issuer) {
        String path = issuer.getRawPath() == null || issuer.getRawPath().equals("/") ? ""
                : issuer.getRawPath().replaceAll("/+$", "");
        if (path.isEmpty()) {
            return List.of(issuer.resolve("/.well-known/oauth-authorization-server"),
                    issuer.resolve("/.well-known/openid-configuration"));
        }
        return List.of(issuer.resolve("/.well-known/oauth-authorization-server" + path),
                issuer.resolve("/.well-known/openid-configuration" + path),
                issuer.resolve(path + "/.well-known/openid-configuration"));
    }

    /** The first of {@code urls} that answers a JSON object. */
    private JsonNode firstJson(String id, String what, List<URI> urls) {
        for (URI url : urls) {
            Optional<JsonNode> answer = send(id, new Request.Builder().url(url.toString())
                    .header("Accept", "application/json").get(), what);
            if (answer.isPresent()) {
                return answer.get();
            }
        }
        throw failed(id, "its " + what + " could not be found");
    }

    /** One request; its JSON object answer if it was a 2xx with one. */
    private Optional<JsonNode> send(String id, Request.Builder request, String what) {
        Call call = http.client().newCall(request.build());
        try (Deadline deadline = http.deadline(call, timeout); Response response = call.execute()) {
            if (response.code() < 200 || response.code() >= 300) {
                LOG.log(System.Logger.Level.DEBUG, () -> id + ": " + what + " answered HTTP " + response.code());
                return Optional.empty();
            }
            JsonNode json = Body.MAPPER.readTree(Okio.buffer(new LimitedSource(response.body().source(), 1 << 20))
                    .readByteArray());
            return json != null && json.isObject() ? Optional.of(json) : Optional.empty();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> id + ": " + what + " failed: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static URI url(String id, String text, String field) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    && uri.getRawUserInfo() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // refused below
        }
        throw failed(id, "its " + field + " is not an http(s) URL");
    }

    private static RpcError failed(String id, String message) {
        return RpcError.of(RpcError.UPSTREAM_FAILED, "OAuth discovery for MCP server '" + id + "': " + message)
                .because("oauth_discovery_failed");
    }
}
