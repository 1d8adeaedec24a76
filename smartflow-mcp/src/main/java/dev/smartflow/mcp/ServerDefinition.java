package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.model.Usd;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A registered upstream MCP server as the registry API writes it: where it is (a Streamable HTTP {@code base_url}, a
 * {@code stdio} command the gateway runs, or the HTTP operations of an OpenAPI spec), how the gateway authenticates to
 * it, which tools and parameters callers may use, what a call costs, and how compliance findings are treated. Its
 * credentials live apart, in {@link ServerSecrets}, and never appear in {@link #toJson()}.
 *
 * @param allowedTools   when not empty, only these tools exist for callers
 * @param disallowedTools tools no caller may see or call
 * @param allowedParams  per tool, the only argument names a call may carry
 * @param perCallMicros  what each {@code tools/call} costs, in micro-USD ({@code cost_info.per_call_usd})
 * @param publicInternet whether callers outside the configured private networks may use it
 */
record ServerDefinition(String id, String name, String description, Transport transport, Auth auth,
                        List<String> allowedTools, List<String> disallowedTools,
                        Map<String, List<String>> allowedParams, long perCallMicros, GuardrailMode guardrailMode,
                        boolean publicInternet, Instant createdAt, Instant updatedAt) {
    /** Lower-case letters, digits, {@code _} and {@code -}: a path segment and, before a dot, a tool-name prefix. */
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    /** Ids that would shadow the proxy's own paths ({@code /api/mcp}, {@code /v1/mcp}, ...). */
    static final Set<String> RESERVED_IDS = Set.of("api", "v1", "mcp", "health", "metrics", "anthropic", "cursor",
            "oauth");
    static final int MAX_TOOL_NAME = 128;
    static final int MAX_SECRET = 16 * 1024;
    private static final Set<String> FIELDS = Set.of("id", "name", "description", "base_url", "transport", "stdio",
            "openapi", "auth_type", "auth", "allowed_tools", "disallowed_tools", "allowed_params", "cost_info",
            "guardrail_mode", "available_on_public_internet", "created_at", "updated_at");
    private static final Set<String> STDIO_FIELDS = Set.of("command", "args", "cwd", "env", "env_names");
    private static final Set<String> AUTH_FIELDS = Set.of("token", "header", "key", "token_url", "client_id",
            "client_secret", "scopes", "audience", "authorization_url", "has_token", "has_key",
            "has_client_secret");
    private static final Set<String> COST_FIELDS = Set.of("per_call_usd");

    ServerDefinition {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(auth, "auth");
        allowedTools = List.copyOf(allowedTools);
        disallowedTools = List.copyOf(disallowedTools);
        Map<String, List<String>> params = new LinkedHashMap<>();
        allowedParams.forEach((tool, names) -> params.put(tool, List.copyOf(names)));
        allowedParams = Collections.unmodifiableMap(params);
        Objects.requireNonNull(guardrailMode, "guardrailMode");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** Where the upstream server is and how it is spoken to. */
    sealed interface Transport permits Http, Stdio, OpenApi {
        String id();
    }

    /**
     * An MCP server over HTTP: Streamable HTTP (falling back to the deprecated HTTP+SSE transport of 2024-11-05 when
     * the server refuses the POST of {@code initialize} with a 4xx, as the specification's backwards-compatibility
     * section describes), or HTTP+SSE only ({@code sse}: {@code baseUrl} is the SSE endpoint).
     */
    record Http(URI baseUrl, boolean sse) implements Transport {
        @Override
        public String id() {
            return sse ? "sse" : "streamable_http";
        }
    }

    /**
     * A process the gateway starts and speaks MCP to over stdin and stdout.
     *
     * @param envNames the names of the variables it gets; their values are secrets
     */
    record Stdio(String command, List<String> args, Optional<String> cwd, List<String> envNames)
            implements Transport {
        Stdio {
            args = List.copyOf(args);
            envNames = List.copyOf(envNames);
        }

        @Override
        public String id() {
            return "stdio";
        }
    }

    /** The operations of an OpenAPI spec, each a tool, called as plain HTTP requests at {@code baseUrl}. */
    record OpenApi(URI baseUrl, List<OpenApiOperation> operations) implements Transport {
        OpenApi {
            operations = List.copyOf(operations);
        }

        @Override
        public String id() {
            return "openapi";
        }
    }

    /** How the gateway authenticates to the upstream server. */
    enum AuthType {
        NONE, BEARER, API_KEY, OAUTH_CLIENT_CREDENTIALS, OAUTH_USER;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        static AuthType parse(String value) {
            for (AuthType type : values()) {
                if (type.id().equals(value)) {
                    return type;
                }
            }
            throw JsonFields.invalid("'auth_type' must be none, bearer, api_key, oauth_client_credentials or "
                    + "oauth_user", "auth_type");
        }
    }

    /**
     * The public half of the upstream authentication (the secret half is in {@link ServerSecrets}).
     *
     * @param header       the header an API key travels in (default {@code X-API-Key})
     * @param tokenUrl     the OAuth token endpoint
     * @param clientId     the OAuth client id, pre-registered with the authorization server
     * @param authorizeUrl the OAuth authorization endpoint, for per-user authorization
     */
    record Auth(AuthType type, Optional<String> header, Optional<URI> tokenUrl, Optional<String> clientId,
                List<String> scopes, Optional<String> audience, Optional<URI> authorizeUrl) {
        static final Auth NONE = new Auth(AuthType.NONE, Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), Optional.empty(), Optional.empty());

        Auth {
            scopes = List.copyOf(scopes);
        }

        String apiKeyHeader() {
            return header.orElse("X-API-Key");
        }
    }

    /** What a guardrail finding on a call's arguments or result does. */
    enum GuardrailMode {
        /** Blocks the call. */
        STRICT,
        /** Records the finding and lets the call go on. */
        LOG;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The parsed request: the definition and the secrets it carried (empty ones keep what was stored). */
    record Parsed(ServerDefinition definition, ServerSecrets secrets) {
    }

    /**
     * Reads a registration (POST) or a replacement (PUT) in the API's shape. Secrets a replacement leaves out are kept
     * from {@code previous} when the auth type and transport still use them, so what {@code GET} answers can be edited
     * and put back.
     *
     * @param pathId   the id the path names, for a PUT
     * @param previous what is stored under that id, if anything
     * @throws dev.smartflow.core.error.InvalidRequest naming the field at fault
     */
    static Parsed parse(JsonNode json, Optional<String> pathId, Optional<Previous> previous, Instant now) {
        JsonFields fields = JsonFields.of(json, "", FIELDS);
        String id = fields.text("id", 64).or(() -> pathId)
                .orElseThrow(() -> JsonFields.invalid("missing required field 'id'", "id"));
        if (pathId.isPresent() && !pathId.get().equals(id)) {
            throw JsonFields.invalid("'id' must match the path's server id", "id");
        }
        if (!ID.matcher(id).matches()) {
            throw JsonFields.invalid("'id' must be 1 to 64 lower-case letters, digits, '_' or '-', starting with a "
                    + "letter or digit", "id");
        }
        if (RESERVED_IDS.contains(id)) {
            throw JsonFields.invalid("'id' must not be one of " + RESERVED_IDS.stream().sorted().toList()
                    + ": the proxy serves those paths itself", "id");
        }
        String name = fields.text("name", JsonFields.MAX_TEXT).filter(s -> !s.isBlank()).orElse(id);
        String description = fields.text("description", 4096).orElse("");
        ServerSecrets kept = previous.map(Previous::secrets).orElse(ServerSecrets.NONE);

        int transports = (fields.has("base_url") ? 1 : 0) + (fields.has("stdio") ? 1 : 0)
                + (fields.has("openapi") ? 1 : 0);
        if (transports != 1) {
            throw JsonFields.invalid("give exactly one of 'base_url' (a Streamable HTTP server) or 'stdio' (a "
                    + "command to run)", fields.has("base_url") ? "stdio" : "base_url");
        }
        Optional<String> transportName = fields.text("transport", 32);
        transportName.ifPresent(t -> {
            boolean fits = fields.has("stdio") ? t.equals("stdio") : fields.has("openapi") ? t.equals("openapi")
                    : t.equals("streamable_http") || t.equals("sse");
            if (!fits) {
                throw JsonFields.invalid("'transport' must be streamable_http or sse with 'base_url', stdio with "
                        + "'stdio'", "transport");
            }
        });
        Transport transport;
        Map<String, String> env = Map.of();
        if (fields.has("base_url")) {
            transport = new Http(httpUrl(fields.requiredText("base_url", 2048), "base_url"),
                    transportName.filter("sse"::equals).isPresent());
        } else if (fields.has("openapi")) {
            transport = OpenApiOperation.transport(fields.raw("openapi"), "openapi");
        } else {
            JsonFields stdio = JsonFields.of(fields.raw("stdio"), "stdio.", STDIO_FIELDS);
            String command = stdio.requiredText("command", 4096);
            List<String> args = stdio.texts("args", 64 * 1024);
            Optional<String> cwd = stdio.text("cwd", 4096);
            env = stdio.textMap("env", MAX_SECRET, true);
            List<String> envNames;
            if (stdio.has("env")) {
                envNames = List.copyOf(env.keySet());
            } else {
                // a GET's shape put back: the names stay, their values come from what is stored
                envNames = stdio.texts("env_names", JsonFields.MAX_TEXT);
                env = new LinkedHashMap<>();
                for (String variable : envNames) {
                    String value = kept.env().get(variable);
                    if (value == null) {
                        throw JsonFields.invalid("'stdio.env_names' names " + variable + ", which has no stored "
                                + "value: send 'stdio.env' with its value", "stdio.env_names");
                    }
                    env.put(variable, value);
                }
            }
            for (String variable : envNames) {
                if (!variable.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
                    throw JsonFields.invalid("'stdio.env' names must be environment variable names", "stdio.env");
                }
            }
            transport = new Stdio(command, args, cwd, envNames);
        }

        AuthType type = fields.text("auth_type", 64).map(AuthType::parse).orElse(AuthType.NONE);
        JsonFields auth = JsonFields.of(fields.has("auth") ? fields.raw("auth") : Body.MAPPER.createObjectNode(),
                "auth.", AUTH_FIELDS);
        boolean sameAuth = previous.map(p -> p.authType() == type).orElse(false);
        Optional<String> token = auth.opaque("token", MAX_SECRET).or(() -> sameAuth ? kept.token() : Optional.empty());
        Optional<String> key = auth.opaque("key", MAX_SECRET).or(() -> sameAuth ? kept.key() : Optional.empty());
        Optional<String> clientSecret = auth.opaque("client_secret", MAX_SECRET)
                .or(() -> sameAuth ? kept.clientSecret() : Optional.empty());
        Optional<String> header = auth.text("header", 128);
        header.ifPresent(h -> {
            if (!h.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw JsonFields.invalid("'auth.header' must be an HTTP header name", "auth.header");
            }
        });
        Optional<URI> tokenUrl = auth.text("token_url", 2048).map(u -> httpUrl(u, "auth.token_url"));
        Optional<URI> authorizeUrl = auth.text("authorization_url", 2048)
                .map(u -> httpUrl(u, "auth.authorization_url"));
        Optional<String> clientId = auth.text("client_id", JsonFields.MAX_TEXT);
        List<String> scopes = auth.texts("scopes", JsonFields.MAX_TEXT);
        Optional<String> audience = auth.text("audience", 2048);
        switch (type) {
            case NONE -> {
                token = Optional.empty();
                key = Optional.empty();
                clientSecret = Optional.empty();
            }
            case BEARER -> require(token, "auth.token", "a bearer token");
            case API_KEY -> require(key, "auth.key", "the API key");
            case OAUTH_CLIENT_CREDENTIALS -> {
                require(tokenUrl, "auth.token_url", "the token endpoint");
                require(clientId, "auth.client_id", "the client id");
                require(clientSecret, "auth.client_secret", "the client secret");
            }
            case OAUTH_USER -> {
                if (clientId.isPresent()) {
                    require(authorizeUrl, "auth.authorization_url", "the authorization endpoint");
                    require(tokenUrl, "auth.token_url", "the token endpoint");
                } else {
                    // no pre-registered client: the gateway discovers the authorization server and registers
                    if (!(transport instanceof Http)) {
                        throw JsonFields.invalid("without 'auth.client_id' the gateway registers itself as a client "
                                + "of the authorization server it discovers from 'base_url': give a client id",
                                "auth.client_id");
                    }
                    if (authorizeUrl.isPresent() || tokenUrl.isPresent() || auth.has("client_secret")) {
                        throw JsonFields.invalid("'auth.authorization_url', 'token_url' and 'client_secret' belong to"
                                + " a pre-registered 'auth.client_id'; without one they are discovered",
                                authorizeUrl.isPresent() ? "auth.authorization_url" : tokenUrl.isPresent()
                                        ? "auth.token_url" : "auth.client_secret");
                    }
                    clientSecret = Optional.empty();
                }
            }
        }
        if (type != AuthType.BEARER) {
            token = Optional.empty();
        }
        if (type != AuthType.API_KEY) {
            key = Optional.empty();
        }
        if (transport instanceof Stdio && type != AuthType.NONE) {
            throw JsonFields.invalid("a stdio server takes its credentials from 'stdio.env', not 'auth_type'",
                    "auth_type");
        }

        List<String> allowed = toolNames(fields, "allowed_tools");
        List<String> disallowed = toolNames(fields, "disallowed_tools");
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (fields.has("allowed_params")) {
            JsonNode node = fields.raw("allowed_params");
            if (!node.isObject() || node.size() > JsonFields.MAX_LIST) {
                throw JsonFields.invalid("'allowed_params' must be an object of tool names to lists of parameter "
                        + "names", "allowed_params");
            }
            JsonFields byTool = JsonFields.of(node, "allowed_params.", toSet(node));
            node.fieldNames().forEachRemaining(tool -> {
                JsonFields.checkText(tool, "allowed_params", MAX_TOOL_NAME);
                params.put(tool, byTool.texts(tool, JsonFields.MAX_TEXT));
            });
        }
        long perCall = 0;
        if (fields.has("cost_info")) {
            JsonFields cost = JsonFields.of(fields.raw("cost_info"), "cost_info.", COST_FIELDS);
            perCall = cost.has("per_call_usd") ? Usd.micros(cost.raw("per_call_usd"), "cost_info.per_call_usd") : 0;
        }
        GuardrailMode mode = fields.text("guardrail_mode", 16).map(m -> switch (m) {
            case "strict" -> GuardrailMode.STRICT;
            case "log" -> GuardrailMode.LOG;
            default -> throw JsonFields.invalid("'guardrail_mode' must be strict or log", "guardrail_mode");
        }).orElse(GuardrailMode.STRICT);
        boolean publicInternet = fields.bool("available_on_public_internet").orElse(true);
        Instant created = previous.map(Previous::createdAt).orElse(now);
        Auth parsedAuth = new Auth(type, header, tokenUrl, clientId, scopes, audience, authorizeUrl);
        ServerDefinition definition = new ServerDefinition(id, name, description, transport, parsedAuth, allowed,
                disallowed, params, perCall, mode, publicInternet, created, now);
        return new Parsed(definition, new ServerSecrets(token, key, clientSecret, env));
    }

    private static Set<String> toSet(JsonNode node) {
        HashSet<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> toolNames(JsonFields fields, String name) {
        return fields.texts(name, MAX_TOOL_NAME);
    }

    private static void require(Optional<?> value, String param, String what) {
        if (value.isEmpty()) {
            throw JsonFields.invalid("missing required field '" + param + "': " + what, param);
        }
    }

    /** An http(s) URL without credentials in it (they belong in {@code auth}, where they are kept secret). */
    static URI httpUrl(String text, String param) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw JsonFields.invalid("'" + param + "' must be an http or https URL", param);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw JsonFields.invalid("'" + param + "' must be an http or https URL", param);
        }
        if (uri.getRawUserInfo() != null) {
            throw JsonFields.invalid("'" + param + "' must not carry credentials: put them in 'auth'", param);
        }
        if (uri.getRawFragment() != null) {
            throw JsonFields.invalid("'" + param + "' must not have a fragment", param);
        }
        return uri;
    }

    /** What is stored under the id being written: the secrets a replacement may keep, and the creation time. */
    record Previous(AuthType authType, ServerSecrets secrets, Instant createdAt) {
        static Previous of(ServerDefinition definition, ServerSecrets secrets) {
            return new Previous(definition.auth().type(), secrets, definition.createdAt());
        }
    }

    /** What a tool call costs, as the API writes it. */
    JsonNode perCallUsd() {
        return Usd.number(perCallMicros);
    }

    /** The API's shape, without secrets: what a GET answers and the database keeps. */
    ObjectNode toJson(ServerSecrets secrets) {
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("id", id).put("name", name).put("description", description).put("transport", transport.id());
        switch (transport) {
            case Http http -> json.put("base_url", http.baseUrl().toString());
            case Stdio stdio -> {
                ObjectNode node = json.putObject("stdio").put("command", stdio.command());
                ArrayNode args = node.putArray("args");
                stdio.args().forEach(args::add);
                stdio.cwd().ifPresent(cwd -> node.put("cwd", cwd));
                ArrayNode names = node.putArray("env_names");
                stdio.envNames().forEach(names::add);
            }
            case OpenApi openApi -> json.set("openapi", OpenApiOperation.toJson(openApi));
        }
        json.put("auth_type", auth.type().id());
        ObjectNode authJson = json.putObject("auth");
        auth.header().ifPresent(h -> authJson.put("header", h));
        auth.tokenUrl().ifPresent(u -> authJson.put("token_url", u.toString()));
        auth.authorizeUrl().ifPresent(u -> authJson.put("authorization_url", u.toString()));
        auth.clientId().ifPresent(c -> authJson.put("client_id", c));
        if (!auth.scopes().isEmpty()) {
            ArrayNode scopes = authJson.putArray("scopes");
            auth.scopes().forEach(scopes::add);
        }
        auth.audience().ifPresent(a -> authJson.put("audience", a));
        switch (auth.type()) {
            case BEARER -> authJson.put("has_token", secrets.token().isPresent());
            case API_KEY -> authJson.put("has_key", secrets.key().isPresent());
            case OAUTH_CLIENT_CREDENTIALS, OAUTH_USER -> authJson.put("has_client_secret",
                    secrets.clientSecret().isPresent());
            case NONE -> {
            }
        }
        ArrayNode allowed = json.putArray("allowed_tools");
        allowedTools.forEach(allowed::add);
        ArrayNode disallowed = json.putArray("disallowed_tools");
        disallowedTools.forEach(disallowed::add);
        ObjectNode params = json.putObject("allowed_params");
        allowedParams.forEach((tool, names) -> {
            ArrayNode list = params.putArray(tool);
            names.forEach(list::add);
        });
        json.putObject("cost_info").set("per_call_usd", perCallUsd());
        json.put("guardrail_mode", guardrailMode.id());
        json.put("available_on_public_internet", publicInternet);
        json.put("created_at", createdAt.toString());
        json.put("updated_at", updatedAt.toString());
        return json;
    }

    /** Reads back what {@link #toJson} wrote, with the secrets stored beside it. */
    static ServerDefinition fromStored(JsonNode json, ServerSecrets secrets) {
        ObjectNode copy = ((ObjectNode) json).deepCopy();
        Instant created = Instant.parse(copy.path("created_at").asText());
        Instant updated = Instant.parse(copy.path("updated_at").asText());
        copy.remove(List.of("created_at", "updated_at"));
        AuthType type = AuthType.parse(copy.path("auth_type").asText("none"));
        return parse(copy, Optional.empty(), Optional.of(new Previous(type, secrets, created)), updated)
                .definition();
    }

    @Override
    public String toString() {
        return "ServerDefinition[" + id + ", " + transport.id() + "]";
    }
}
