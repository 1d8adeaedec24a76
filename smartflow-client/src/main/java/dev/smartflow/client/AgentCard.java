package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** An A2A agent's capability card, as the gateway serves it: name, description, capabilities and the whole card. */
public record AgentCard(String name, String description, JsonNode capabilities, JsonNode json) {
    public AgentCard {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(capabilities, "capabilities");
        Objects.requireNonNull(json, "json");
    }

    static AgentCard from(JsonNode body) {
        return new AgentCard(Json.text(body, "name"), Json.text(body, "description"), body.path("capabilities"),
                body);
    }
}
