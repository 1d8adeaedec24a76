package dev.smartflow.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Stage;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Attribute;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.server.module.SecretBox;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import okhttp3.FormBody;
import okhttp3.HttpUrl;

/**
 * OAuth 2.1 for upstream servers that act for each user ({@code auth_type: oauth_user}): the authorization code flow
 * with PKCE (S256), against the server's pre-registered client ({@code auth.client_id}, and {@code client_secret}
 * when the client is confidential), or, for a server registered without one, a client the gateway discovers the
 * authorization server for and registers itself ({@link OAuthClients}). The "user" is the virtual key: each key
 * authorizes once per server, and its calls then carry its own access token.
 *
 * <ol>
 *   <li>The key holder asks {@code GET /api/mcp/oauth/{server_id}/authorize} (with its key): the gateway answers the
 *       authorization URL to open in a browser, with a fresh {@code state} and code challenge; the state (and the
 *       verifier) wait in the shared state for ten minutes, so any instance can take the callback.</li>
 *   <li>The authorization server redirects the browser to {@code /api/mcp/oauth/callback?code=&state=} (no key: the
 *       state, used once, says whose it is); the gateway redeems the code with the verifier and keeps the tokens.</li>
 *   <li>Tokens are sealed (AES-GCM, as server secrets are) before they reach the database, and refreshed with the
 *       refresh token when they are due (30 s before they expire); a refresh the authorization server refuses
 *       forgets the token, and the user authorizes again.</li>
 * </ol>
 * {@code DELETE /api/mcp/oauth/{server_id}/token} forgets the caller's token. The redirect URI is
 * {@code mcp.public_url} + {@code /api/mcp/oauth/callback}, else built from the request's {@code Host}.
 *
 * <p>Thread-safe. Tokens are cached in memory and read again from the database when due, so a refresh made on one
 * instance is found by the others.
 */
final class OAuthUsers {
    static final ModuleOperation AUTHORIZE = new ModuleOperation("mcp.oauth.authorize",
            "/api/mcp/oauth/authorize", false, false);
    static final ModuleOperation FORGET = new ModuleOperation("mcp.oauth.forget", "/api/mcp/oauth/token", false,
            false);
    static final String CALLBACK = "/api/mcp/oauth/callback";
    private static final Attribute<Request> REQUEST = Attribute.of("mcp-oauth-request", Request.class);
    private static final Duration STATE_TTL = Duration.ofMinutes(10);
    private static final Duration EARLY = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(OAuthUsers.class.getName());

    /** What the pipeline route hands the stage: the server named in the path, and where callbacks go. */
    record Request(String serverId, String callbackUrl) {
    }

    /** A user's tokens for one server, as kept (sealed) in the database. */
    private record Tokens(String access, Optional<String> refresh, Instant expiresAt) {
        String seal(SecretBox box) {
            ObjectNode json = Body.MAPPER.createObjectNode().put("access_token", access)
                    .put("expires_at", expiresAt.toString());
            refresh.ifPresent(r -> json.put("refresh_token", r));
            return box.seal(json.toString());
        }

        static Tokens open(SecretBox box, String sealed) {
            try {
                JsonNode json = Body.MAPPER.readTree(box.open(sealed));
                return new Tokens(json.path("access_token").asText(), Optional.ofNullable(json.get("refresh_token"))
                        .map(JsonNode::asText), Instant.parse(json.path("expires_at").asText()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a sealed OAuth token is not JSON");
            }
        }

        @Override
        public String toString() {
            return "Tokens[expiresAt=" + expiresAt + "]";
        }
    }

    private final Registry registry;
    private final McpStore store;
    private final SharedState state;
    private final String prefix;
    private final SecretBox box;
    private final HttpTransport http;
    private final InstantSource clock;
    private final Duration timeout;
    private final Optional<String> publicUrl;
    private final OAuthClients clients;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Tokens> cache = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> refreshing = new ConcurrentHashMap<>();

    OAuthUsers(Registry registry, McpStore store, SharedState state, String prefix, SecretBox box,
               HttpTransport http, InstantSource clock, Duration timeout, Optional<String> publicUrl,
               OAuthClients clients) {
        this.registry = registry;
        this.store = store;
        this.state = state;
        this.prefix = prefix;
        this.box = box;
        this.http = http;
        this.clock = clock;
        this.timeout = timeout;
        this.publicUrl = publicUrl;
        this.clients = clients;
    }

    /** Adds the routes: the authorize and forget routes through the pipeline (a key), the callback without one. */
    void register(JavalinConfig app, Function<ModuleOperation, Function<Function<Context, Attributes>, Handler>> route,
                  boolean trustForwarded) {
        Function<Context, Attributes> request = ctx -> Attributes.EMPTY.with(REQUEST, new Request(
                ctx.pathParam("server_id"), callbackUrl(ctx, trustForwarded)));
        app.routes.get("/api/mcp/oauth/{server_id}/authorize", route.apply(AUTHORIZE).apply(request));
        app.routes.delete("/api/mcp/oauth/{server_id}/token", route.apply(FORGET).apply(request));
        app.routes.get(CALLBACK, this::callback);
    }

    private String callbackUrl(Context ctx, boolean trustForwarded) {
        String base = publicUrl.orElseGet(() -> {
            String scheme = trustForwarded && ctx.header("X-Forwarded-Proto") != null
                    ? ctx.header("X-Forwarded-Proto") : ctx.scheme();
            return scheme + "://" + ctx.host();
        });
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + CALLBACK;
    }

    /** Answers the authorize and forget operations (at the {@code AUTHENTICATED} slot). */
    Stage stage() {
        return (exchange, chain) -> {
            boolean authorize = exchange.operation().equals(AUTHORIZE);
            if (!authorize && !exchange.operation().equals(FORGET)) {
                return chain.proceed(exchange);
            }
            Request request = exchange.get(REQUEST).orElseThrow();
            VirtualKey key = exchange.principal().key().orElseThrow(() -> new InvalidRequest("per-user "
                    + "authorization is made with the virtual key that will use it", "invalid_request", null));
            Registry.Entry entry = registry.get(request.serverId())
                    .filter(e -> e.definition().auth().type() == ServerDefinition.AuthType.OAUTH_USER)
                    .orElseThrow(() -> new NotFound("no MCP server '" + (ServerDefinition.ID.matcher(
                            request.serverId()).matches() ? request.serverId() : "(that id)")
                            + "' authorizes per user", "server_not_found"));
            ObjectNode answer = authorize ? authorization(entry, key, request.callbackUrl())
                    : forget(entry, key);
            return new Response.Complete(200, Headers.EMPTY, Body.of(answer));
        };
    }

    private ObjectNode authorization(Registry.Entry entry, VirtualKey key, String callbackUrl) {
        ServerDefinition.Auth auth = entry.definition().auth();
        OAuthClients.Client client;
        try {
            client = clients.forAuthorization(entry, callbackUrl);
        } catch (RpcError e) {
            throw UpstreamFailure.io("MCP server '" + entry.id() + "'", e.getMessage(), null);
        }
        String stateId = token(32);
        String verifier = token(48);
        ObjectNode pending = Body.MAPPER.createObjectNode().put("server_id", entry.id()).put("subject",
                key.id().value()).put("verifier", verifier).put("redirect_uri", callbackUrl);
        state.set(prefix + "oauth-state:" + stateId, box.seal(pending.toString()), Optional.of(STATE_TTL));
        HttpUrl.Builder url = HttpUrl.get(client.authorizeUrl().toString()).newBuilder()
                .addQueryParameter("response_type", "code")
                .addQueryParameter("client_id", client.clientId())
                .addQueryParameter("redirect_uri", callbackUrl)
                .addQueryParameter("state", stateId)
                .addQueryParameter("code_challenge", challenge(verifier))
                .addQueryParameter("code_challenge_method", "S256");
        if (!auth.scopes().isEmpty()) {
            url.addQueryParameter("scope", String.join(" ", auth.scopes()));
        }
        client.resource().ifPresent(resource -> url.addQueryParameter("resource", resource));
        return ApiJson.success().put("server_id", entry.id()).put("authorization_url", url.build().toString())
                .put("expires_in", STATE_TTL.toSeconds())
                .put("message", "open authorization_url in a browser and sign in; the gateway keeps the token");
    }

    private ObjectNode forget(Registry.Entry entry, VirtualKey key) {
        boolean deleted = store.deleteToken(entry.id(), key.id().value());
        cache.remove(cacheKey(entry.id(), key.id().value()));
        return ApiJson.success().put("deleted", deleted);
    }

    /** The browser's return from the authorization server: redeems the code for the state's user. */
    private void callback(Context ctx) {
        String error = ctx.queryParam("error");
        String stateId = Optional.ofNullable(ctx.queryParam("state")).orElse("");
        String code = Optional.ofNullable(ctx.queryParam("code")).orElse("");
        if (error != null) {
            throw new InvalidRequest("the authorization server refused: " + (error.matches("[a-z_]{1,64}") ? error
                    : "(an error)"), "oauth_refused", null);
        }
        if (stateId.isEmpty() || code.isEmpty() || stateId.length() > 128) {
            throw new InvalidRequest("the callback needs 'code' and 'state'", "invalid_request", null);
        }
        String key = prefix + "oauth-state:" + stateId;
        Optional<String> sealed = state.get(key);
        if (sealed.isEmpty() || !state.delete(key)) {
            throw new InvalidRequest("unknown or used 'state': start again at /api/mcp/oauth/{server_id}/authorize",
                    "oauth_state_unknown", "state");
        }
        JsonNode pending;
        try {
            pending = Body.MAPPER.readTree(box.open(sealed.get()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a sealed OAuth state is not JSON");
        }
        String serverId = pending.path("server_id").asText();
        Registry.Entry entry = registry.get(serverId).orElseThrow(() -> RegistryRoutes.notFound(serverId));
        OAuthClients.Client client = clients.current(entry).orElseThrow(() -> new InvalidRequest("the gateway's "
                + "OAuth client of MCP server '" + serverId + "' is gone: start again", "oauth_failed", null));
        FormBody.Builder form = new FormBody.Builder().add("grant_type", "authorization_code").add("code", code)
                .add("redirect_uri", pending.path("redirect_uri").asText())
                .add("client_id", client.clientId())
                .add("code_verifier", pending.path("verifier").asText());
        client.clientSecret().ifPresent(secret -> form.add("client_secret", secret));
        if (client.registered()) {
            client.resource().ifPresent(resource -> form.add("resource", resource));
        }
        JsonNode answer;
        try {
            answer = UpstreamAuth.postForm(http, client.tokenUrl(), form.build(), timeout, serverId);
        } catch (RpcError e) {
            throw new InvalidRequest(e.getMessage(), "oauth_failed", null);
        }
        String subject = pending.path("subject").asText();
        Tokens tokens = tokens(answer, Optional.empty(), serverId);
        keep(serverId, subject, tokens);
        LOG.log(System.Logger.Level.INFO, "key " + subject + " authorized MCP server '" + serverId + "'");
        ApiJson.answer(ctx, 200, ApiJson.success().put("server_id", serverId).put("key_id", subject)
                .put("message", "authorized: you may close this window"));
    }

    /**
     * The access token {@code principal} holds for {@code entry}, refreshed when due; empty when it has none (or its
     * refresh was refused).
     */
    Optional<String> accessToken(Registry.Entry entry, Principal principal) {
        Optional<VirtualKey> key = principal.key();
        if (key.isEmpty()) {
            return Optional.empty();
        }
        String subject = key.get().id().value();
        String cacheKey = cacheKey(entry.id(), subject);
        Tokens cached = cache.get(cacheKey);
        if (cached != null && fresh(cached)) {
            return Optional.of(cached.access());
        }
        ReentrantLock lock = refreshing.computeIfAbsent(cacheKey, k -> new ReentrantLock());
        lock.lock();
        try {
            Optional<Tokens> stored = store.token(entry.id(), subject).map(t -> Tokens.open(box, t.sealed()));
            if (stored.isEmpty()) {
                cache.remove(cacheKey);
                return Optional.empty();
            }
            if (fresh(stored.get())) {
                cache.put(cacheKey, stored.get());
                return Optional.of(stored.get().access());
            }
            return refresh(entry, subject, stored.get()).map(Tokens::access);
        } finally {
            lock.unlock();
        }
    }

    private Optional<Tokens> refresh(Registry.Entry entry, String subject, Tokens due) {
        if (due.refresh().isEmpty()) {
            return clock.instant().isBefore(due.expiresAt()) ? Optional.of(due) : forgotten(entry, subject);
        }
        Optional<OAuthClients.Client> known = clients.current(entry);
        if (known.isEmpty()) {
            return forgotten(entry, subject);
        }
        OAuthClients.Client client = known.get();
        FormBody.Builder form = new FormBody.Builder().add("grant_type", "refresh_token")
                .add("refresh_token", due.refresh().get()).add("client_id", client.clientId());
        client.clientSecret().ifPresent(secret -> form.add("client_secret", secret));
        if (client.registered()) {
            client.resource().ifPresent(resource -> form.add("resource", resource));
        }
        try {
            JsonNode answer = UpstreamAuth.postForm(http, client.tokenUrl(), form.build(), timeout,
                    entry.id());
            Tokens tokens = tokens(answer, due.refresh(), entry.id());
            keep(entry.id(), subject, tokens);
            return Optional.of(tokens);
        } catch (RpcError e) {
            LOG.log(System.Logger.Level.WARNING, "refreshing the OAuth token of key " + subject + " for MCP server '"
                    + entry.id() + "' failed: " + e.getMessage());
            return forgotten(entry, subject);
        }
    }

    private Optional<Tokens> forgotten(Registry.Entry entry, String subject) {
        store.deleteToken(entry.id(), subject);
        cache.remove(cacheKey(entry.id(), subject));
        return Optional.empty();
    }

    private Tokens tokens(JsonNode answer, Optional<String> previousRefresh, String serverId) {
        String access = answer.path("access_token").asText("");
        if (access.isEmpty()) {
            throw RpcError.of(RpcError.UPSTREAM_FAILED, "the token endpoint of MCP server '" + serverId
                    + "' answered no access_token").because("oauth_failed");
        }
        long seconds = answer.path("expires_in").canConvertToLong() && answer.path("expires_in").asLong() > 0
                ? answer.path("expires_in").asLong() : 3600;
        // a refresh answer without a refresh token keeps the old one (it was not rotated)
        Optional<String> refresh = Optional.ofNullable(answer.get("refresh_token")).filter(JsonNode::isTextual)
                .map(JsonNode::asText).or(() -> previousRefresh);
        return new Tokens(access, refresh, clock.instant().plusSeconds(seconds));
    }

    private void keep(String serverId, String subject, Tokens tokens) {
        store.putToken(new McpStore.Token(serverId, subject, tokens.seal(box), clock.instant()));
        cache.put(cacheKey(serverId, subject), tokens);
    }

    private boolean fresh(Tokens tokens) {
        return clock.instant().plus(EARLY).isBefore(tokens.expiresAt());
    }

    private static String cacheKey(String serverId, String subject) {
        return serverId + "\u0000" + subject;
    }

    private String token(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
