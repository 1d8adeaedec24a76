package dev.smartflow.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.spi.VirtualKey;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A registered agent as the registry API takes and shows it. The credential to the agent ({@code auth.token} or
 * {@code auth.key}) is never part of the definition: it travels sealed beside it and shows only as
 * {@code auth.has_secret}.
 *
 * @param url        the agent's base URL: its card is at {@code url/.well-known/agent-card.json}; its interfaces come
 *                   from the card, and {@code url} itself serves JSON-RPC when the card names none
 * @param authHeader the header that carries an {@code api_key} credential (e.g. {@code X-API-Key})
 * @param allowedKeys virtual key ids that may call the agent ({@code *}: every key)
 * @param allowedTags key tags ({@code team: research}) any of which lets a key call the agent
 */
record AgentDefinition(String id, String name, String url, AuthType auth, Optional<String> authHeader,
                       List<String> allowedKeys, Map<String, String> allowedTags, long costMicros) {
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Set<String> FIELDS = Set.of("id", "name", "url", "auth", "allowed_keys", "allowed_tags",
            "cost_per_task_usd");
    private static final Set<String> AUTH_FIELDS = Set.of("type", "token", "key", "header");

    enum AuthType {
        NONE, BEARER, API_KEY;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    AgentDefinition {
        Objects.requireNonNull(id, "id");
        allowedKeys = List.copyOf(allowedKeys);
        allowedTags = Map.copyOf(allowedTags);
    }

    /** A definition and the credential it came with, if any. */
    record Parsed(AgentDefinition definition, Optional<String> secret) {
    }

    /** Whether {@code principal} may call the agent: the master key, a listed key id, or a key with a listed tag. */
    boolean allows(Principal principal) {
        if (principal.kind() == Principal.Kind.MASTER) {
            return true;
        }
        Optional<VirtualKey> key = principal.key();
        if (key.isEmpty()) {
            return false;
        }
        if (allowedKeys.contains("*") || allowedKeys.contains(key.get().id().value())) {
            return true;
        }
        return allowedTags.entrySet().stream()
                .anyMatch(tag -> tag.getValue().equals(key.get().tags().get(tag.getKey())));
    }

    /**
     * Parses a registration. {@code id} comes from the path of a replacement; {@code previous} keeps a replacement's
     * stored credential when it names the same auth type and gives no new one.
     *
     * @throws GatewayError 400 naming the field at fault
     */
    static Parsed parse(JsonNode body, Optional<String> pathId, Optional<Parsed> previous) {
        if (!body.isObject()) {
            throw invalid("the body must be a JSON object", "body");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw invalid("unknown field '" + shorten(name) + "'; expected one of " + FIELDS.stream().sorted()
                        .toList(), name);
            }
        }
        String id = pathId.orElseGet(() -> text(body, "id").orElseThrow(() -> invalid("missing required field 'id'",
                "id")));
        if (pathId.isPresent() && body.has("id") && !body.path("id").asText().equals(id)) {
            throw invalid("'id' differs from the id in the path", "id");
        }
        if (!ID.matcher(id).matches()) {
            throw invalid("'id' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                    "id");
        }
        if (id.equals("mcp")) {
            // POST /a2a/mcp is the MCP gateway's endpoint of a server named a2a
            throw invalid("'id' may not be 'mcp'", "id");
        }
        String name = text(body, "name").orElse(id);
        String url = text(body, "url").orElseThrow(() -> invalid("missing required field 'url': the agent's base "
                + "URL", "url"));
        try {
            URI uri = URI.create(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw invalid("'url' must be an http or https URL", "url");
            }
        } catch (IllegalArgumentException e) {
            throw invalid("'url' is not a URL", "url");
        }
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;

        JsonNode authNode = body.path("auth");
        AuthType auth = AuthType.NONE;
        Optional<String> header = Optional.empty();
        Optional<String> secret = Optional.empty();
        if (!authNode.isMissingNode() && !authNode.isNull()) {
            if (!authNode.isObject()) {
                throw invalid("'auth' must be an object: {\"type\": \"none\" | \"bearer\" | \"api_key\", ...}",
                        "auth");
            }
            authNode.fieldNames().forEachRemaining(field -> {
                if (!AUTH_FIELDS.contains(field)) {
                    throw invalid("unknown field 'auth." + shorten(field) + "'", "auth");
                }
            });
            String type = text(authNode, "type").orElse("none").toLowerCase(Locale.ROOT);
            auth = switch (type) {
                case "none" -> AuthType.NONE;
                case "bearer" -> AuthType.BEARER;
                case "api_key" -> AuthType.API_KEY;
                default -> throw invalid("'auth.type' must be none, bearer or api_key", "auth.type");
            };
            secret = text(authNode, auth == AuthType.API_KEY ? "key" : "token");
            if (auth == AuthType.API_KEY) {
                String named = text(authNode, "header").orElse("X-API-Key");
                if (!HEADER.matcher(named).matches()) {
                    throw invalid("'auth.header' must be an HTTP header name", "auth.header");
                }
                header = Optional.of(named);
            }
        } else if (previous.isPresent()) {
            auth = previous.get().definition().auth();
            header = previous.get().definition().authHeader();
        }
        if (secret.isEmpty() && auth != AuthType.NONE && previous.isPresent()
                && previous.get().definition().auth() == auth) {
            secret = previous.get().secret();
        }
        if (auth != AuthType.NONE && secret.isEmpty()) {
            throw invalid("'auth' of type " + auth.wire() + " needs its " + (auth == AuthType.API_KEY ? "'key'"
                    : "'token'"), "auth");
        }
        if (auth == AuthType.NONE) {
            secret = Optional.empty();
        }

        List<String> keys = new ArrayList<>();
        JsonNode keysNode = body.path("allowed_keys");
        if (!keysNode.isMissingNode() && !keysNode.isNull()) {
            if (!keysNode.isArray()) {
                throw invalid("'allowed_keys' must be a list of virtual key ids", "allowed_keys");
            }
            keysNode.forEach(k -> {
                if (!k.isTextual() || k.asText().isBlank()) {
                    throw invalid("'allowed_keys' must hold key ids", "allowed_keys");
                }
                keys.add(k.asText());
            });
        }
        Map<String, String> tags = new LinkedHashMap<>();
        JsonNode tagsNode = body.path("allowed_tags");
        if (!tagsNode.isMissingNode() && !tagsNode.isNull()) {
            if (!tagsNode.isObject()) {
                throw invalid("'allowed_tags' must be an object of tag names and values", "allowed_tags");
            }
            tagsNode.fields().forEachRemaining(tag -> {
                if (!tag.getValue().isTextual()) {
                    throw invalid("'allowed_tags." + shorten(tag.getKey()) + "' must be a string", "allowed_tags");
                }
                tags.put(tag.getKey(), tag.getValue().asText());
            });
        }
        long cost = 0;
        JsonNode costNode = body.path("cost_per_task_usd");
        if (!costNode.isMissingNode() && !costNode.isNull()) {
            if (!costNode.isNumber() || costNode.decimalValue().signum() < 0
                    || costNode.decimalValue().compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
                throw invalid("'cost_per_task_usd' must be a number of US dollars, 0 or more", "cost_per_task_usd");
            }
            cost = costNode.decimalValue().movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP)
                    .longValueExact();
        }
        return new Parsed(new AgentDefinition(id, name, url, auth, header, keys, tags, cost), secret);
    }

    /** The stored JSON: every field but the credential. */
    ObjectNode toJson() {
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("id", id).put("name", name).put("url", url);
        ObjectNode authJson = json.putObject("auth").put("type", auth.wire());
        authHeader.ifPresent(h -> authJson.put("header", h));
        allowedKeys.forEach(json.putArray("allowed_keys")::add);
        ObjectNode tags = json.putObject("allowed_tags");
        allowedTags.forEach(tags::put);
        json.put("cost_per_task_usd", BigDecimal.valueOf(costMicros).movePointLeft(6).stripTrailingZeros());
        return json;
    }

    /** What the API shows: the stored JSON and whether a credential is kept. */
    ObjectNode toShown(boolean hasSecret) {
        ObjectNode json = toJson();
        ((ObjectNode) json.get("auth")).put("has_secret", hasSecret);
        return json;
    }

    /** Reads the stored JSON back (the credential comes from the sealed text). */
    static AgentDefinition fromStored(JsonNode json, Optional<String> secret) {
        ObjectNode registration = json.deepCopy();
        ObjectNode auth = (ObjectNode) registration.path("auth");
        secret.ifPresent(s -> auth.put(AuthType.API_KEY.wire().equals(auth.path("type").asText()) ? "key" : "token",
                s));
        return parse(registration, Optional.empty(), Optional.empty()).definition();
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw invalid("'" + field + "' must be a string", field);
        }
        return Optional.of(value.asText()).filter(s -> !s.isBlank());
    }

    private static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    static GatewayError invalid(String message, String param) {
        return GatewayError.of(400, "invalid_request_error", "invalid_agent", message);
    }
}
