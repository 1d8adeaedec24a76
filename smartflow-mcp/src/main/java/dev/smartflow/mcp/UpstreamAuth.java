package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.Call;
import okhttp3.FormBody;
import okhttp3.Request;
import okhttp3.Response;

/**
 * How the gateway proves itself to an upstream server, per the server's {@code auth_type}: nothing, a bearer token, an
 * API key in a header, an OAuth access token it obtains with its client credentials (cached until shortly before it
 * expires, fetched again after a 401), or the calling user's own OAuth token ({@code oauth_user}, see
 * {@link OAuthUsers}).
 *
 * <p>Thread-safe. Secrets go only into the upstream request's headers, never into messages or logs.
 */
final class UpstreamAuth {
    /** A token is renewed this long before it expires, so that no call carries one that dies on the way. */
    private static final Duration EARLY = Duration.ofSeconds(30);

    private final ServerDefinition definition;
    private final ServerSecrets secrets;
    private final HttpTransport http;
    private final InstantSource clock;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Optional<Token> token = Optional.empty();

    private record Token(String value, Instant renewAt) {
    }

    UpstreamAuth(ServerDefinition definition, ServerSecrets secrets, HttpTransport http, InstantSource clock,
                 Duration timeout) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Adds the credentials {@code call} needs to {@code request}. */
    void apply(Request.Builder request, UpstreamCall call) {
        switch (definition.auth().type()) {
            case NONE -> {
            }
            case BEARER -> request.header("Authorization", "Bearer " + secrets.token().orElseThrow());
            case API_KEY -> request.header(definition.auth().apiKeyHeader(), secrets.key().orElseThrow());
            case OAUTH_CLIENT_CREDENTIALS -> request.header("Authorization", "Bearer " + clientToken());
            case OAUTH_USER -> request.header("Authorization", "Bearer " + call.userToken().orElseThrow(
                    () -> RpcError.of(RpcError.FORBIDDEN, "MCP server '" + definition.id() + "' acts for each user: "
                            + "authorize it first (GET /api/mcp/oauth/" + definition.id() + "/authorize)")
                            .because("authorization_required")));
        }
    }

    /** Whether credentials the upstream refused may be renewed (a client-credentials token). */
    boolean renewable() {
        return definition.auth().type() == ServerDefinition.AuthType.OAUTH_CLIENT_CREDENTIALS;
    }

    /** The upstream refused the credentials: a client-credentials token is fetched anew for the next call. */
    void rejected() {
        token = Optional.empty();
    }

    private String clientToken() {
        Optional<Token> current = token;
        if (current.isPresent() && clock.instant().isBefore(current.get().renewAt())) {
            return current.get().value();
        }
        lock.lock();
        try {
            current = token;
            if (current.isPresent() && clock.instant().isBefore(current.get().renewAt())) {
                return current.get().value();
            }
            Token fetched = fetch();
            token = Optional.of(fetched);
            return fetched.value();
        } finally {
            lock.unlock();
        }
    }

    private Token fetch() {
        ServerDefinition.Auth auth = definition.auth();
        FormBody.Builder form = new FormBody.Builder().add("grant_type", "client_credentials")
                .add("client_id", auth.clientId().orElseThrow())
                .add("client_secret", secrets.clientSecret().orElseThrow());
        if (!auth.scopes().isEmpty()) {
            form.add("scope", String.join(" ", auth.scopes()));
        }
        auth.audience().ifPresent(audience -> form.add("audience", audience));
        JsonNode answer = postForm(http, auth.tokenUrl().orElseThrow(), form.build(), timeout, definition.id());
        return token(answer.path("access_token").asText(""), answer.path("expires_in"));
    }

    private Token token(String value, JsonNode expiresIn) {
        if (value.isEmpty()) {
            throw RpcError.of(RpcError.UPSTREAM_FAILED, "the token endpoint of MCP server '" + definition.id()
                    + "' answered no access_token").because("oauth_failed");
        }
        long seconds = expiresIn.canConvertToLong() && expiresIn.asLong() > 0 ? expiresIn.asLong() : 3600;
        Instant renewAt = clock.instant().plusSeconds(seconds).minus(EARLY);
        return new Token(value, renewAt);
    }

    /** Posts {@code form} to a token endpoint; its JSON answer. For {@link OAuthUsers} too. */
    static JsonNode postForm(HttpTransport http, URI url, FormBody form, Duration timeout, String serverId) {
        Request request = new Request.Builder().url(url.toString()).header("Accept", "application/json").post(form)
                .build();
        Call call = http.client().newCall(request);
        try (Deadline deadline = http.deadline(call, timeout); Response response = call.execute()) {
            String body = response.body().string();
            if (!response.isSuccessful()) {
                JsonNode error = parse(body);
                String code = error.path("error").asText("");
                throw RpcError.of(RpcError.UPSTREAM_FAILED, "the token endpoint of MCP server '" + serverId
                        + "' refused: HTTP " + response.code() + (code.matches("[a-z_]{1,64}") ? " (" + code + ")"
                        : "")).because("oauth_failed");
            }
            return parse(body);
        } catch (IOException e) {
            throw RpcError.of(RpcError.UPSTREAM_FAILED, "the token endpoint of MCP server '" + serverId
                    + "' could not be reached").because("oauth_failed");
        }
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode json = Body.MAPPER.readTree(body);
            return json == null ? Body.MAPPER.missingNode() : json;
        } catch (IOException e) {
            return Body.MAPPER.missingNode();
        }
    }
}
