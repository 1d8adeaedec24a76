package dev.smartflow.a2a;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Optional;

/**
 * The agent registry over HTTP on the proxy port, for the master key: {@code POST /api/a2a/agents} registers (409
 * when the id is taken), {@code GET} lists or shows one, {@code PUT /api/a2a/agents/{id}} replaces (or creates),
 * {@code DELETE} removes. Answers carry every field but the credential, which shows only as
 * {@code auth.has_secret}; a replacement that leaves the credential out keeps the stored one.
 */
final class RegistryRoutes {
    static final String AGENTS = "/api/a2a/agents";

    private final Agents agents;
    private final Authenticator master;
    private final Cards cards;

    RegistryRoutes(Agents agents, Authenticator master, Cards cards) {
        this.agents = agents;
        this.master = master;
        this.cards = cards;
    }

    void register(JavalinConfig app) {
        app.routes.post(AGENTS, this::create);
        app.routes.get(AGENTS, this::list);
        app.routes.get(AGENTS + "/{id}", this::show);
        app.routes.put(AGENTS + "/{id}", this::replace);
        app.routes.delete(AGENTS + "/{id}", this::delete);
    }

    private void create(Context ctx) {
        Services.requireKey(ctx, master);
        AgentDefinition.Parsed parsed = AgentDefinition.parse(object(ctx), Optional.empty(), Optional.empty());
        if (!agents.create(parsed)) {
            throw GatewayError.of(409, "invalid_request_error", "agent_exists", "an A2A agent with id '"
                    + parsed.definition().id() + "' is registered already; PUT " + AGENTS + "/"
                    + parsed.definition().id() + " replaces it");
        }
        answer(ctx, 201, wrap(parsed));
    }

    private void list(Context ctx) {
        Services.requireKey(ctx, master);
        ObjectNode json = Body.MAPPER.createObjectNode();
        ArrayNode list = json.putArray("agents");
        agents.all().forEach(entry -> list.add(entry.definition().toShown(entry.secret().isPresent())));
        answer(ctx, 200, json);
    }

    private void show(Context ctx) {
        Services.requireKey(ctx, master);
        String id = ctx.pathParam("id");
        AgentDefinition.Parsed parsed = agents.stored(id).orElseThrow(() -> notFound(id));
        answer(ctx, 200, wrap(parsed));
    }

    private void replace(Context ctx) {
        Services.requireKey(ctx, master);
        String id = ctx.pathParam("id");
        Optional<AgentDefinition.Parsed> previous = agents.stored(id);
        AgentDefinition.Parsed parsed = AgentDefinition.parse(object(ctx), Optional.of(id), previous);
        boolean created = agents.put(parsed);
        cards.forget(id);
        answer(ctx, created ? 201 : 200, wrap(parsed));
    }

    private void delete(Context ctx) {
        Services.requireKey(ctx, master);
        String id = ctx.pathParam("id");
        if (!agents.delete(id)) {
            throw notFound(id);
        }
        cards.forget(id);
        answer(ctx, 200, Body.MAPPER.createObjectNode().put("deleted", true).put("id", id));
    }

    private static ObjectNode wrap(AgentDefinition.Parsed parsed) {
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.set("agent", parsed.definition().toShown(parsed.secret().isPresent()));
        return json;
    }

    private static GatewayError notFound(String id) {
        return GatewayError.of(404, "invalid_request_error", "agent_not_found", "no A2A agent '"
                + (AgentDefinition.ID.matcher(id).matches() ? id : "(that id)") + "' is registered");
    }

    private static JsonNode object(Context ctx) {
        JsonNode body;
        try {
            body = Body.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new InvalidRequest("the request body is not valid JSON", "invalid_json", null);
        }
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("the request body must be a JSON object", "invalid_request", null);
        }
        return body;
    }

    private static void answer(Context ctx, int status, JsonNode json) {
        try {
            Services.json(ctx, status, Body.MAPPER.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer", e);
        }
    }
}
