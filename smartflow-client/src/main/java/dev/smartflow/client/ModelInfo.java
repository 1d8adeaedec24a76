package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** One model the gateway can route to: its id (usable as a request's model) and owner. */
public record ModelInfo(String id, String ownedBy, long created) {
    public ModelInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ownedBy, "ownedBy");
    }

    static ModelInfo from(JsonNode model) {
        return new ModelInfo(Json.text(model, "id"), Json.text(model, "owned_by"), Json.number(model, "created"));
    }
}
