package dev.smartflow.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.server.module.SecretBox;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered server's credentials: a bearer token, an API key, an OAuth client secret, the environment of a stdio
 * server. Kept server-side only: sealed by a {@link SecretBox} before they reach the database, and never answered,
 * listed or logged ({@link #toString()} names only which are set).
 */
record ServerSecrets(Optional<String> token, Optional<String> key, Optional<String> clientSecret,
                     Map<String, String> env) {
    static final ServerSecrets NONE = new ServerSecrets(Optional.empty(), Optional.empty(), Optional.empty(),
            Map.of());

    ServerSecrets {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(clientSecret, "clientSecret");
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    boolean isEmpty() {
        return token.isEmpty() && key.isEmpty() && clientSecret.isEmpty() && env.isEmpty();
    }

    /** Sealed text for the database; empty text when there is nothing to keep. */
    String seal(SecretBox box) {
        if (isEmpty()) {
            return "";
        }
        ObjectNode json = Body.MAPPER.createObjectNode();
        token.ifPresent(t -> json.put("token", t));
        key.ifPresent(k -> json.put("key", k));
        clientSecret.ifPresent(c -> json.put("client_secret", c));
        ObjectNode variables = json.putObject("env");
        env.forEach(variables::put);
        return box.seal(json.toString());
    }

    /** What {@link #seal} made, opened. */
    static ServerSecrets open(SecretBox box, String sealed) {
        if (sealed.isEmpty()) {
            return NONE;
        }
        JsonNode json;
        try {
            json = Body.MAPPER.readTree(box.open(sealed));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("sealed server secrets are not JSON");
        }
        Map<String, String> env = new LinkedHashMap<>();
        json.path("env").fields().forEachRemaining(field -> env.put(field.getKey(), field.getValue().asText()));
        return new ServerSecrets(text(json, "token"), text(json, "key"), text(json, "client_secret"), env);
    }

    private static Optional<String> text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || !value.isTextual() ? Optional.empty() : Optional.of(value.textValue());
    }

    @Override
    public String toString() {
        return "ServerSecrets[token=" + token.isPresent() + ", key=" + key.isPresent() + ", clientSecret="
                + clientSecret.isPresent() + ", env=" + env.keySet() + "]";
    }
}
