package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.List;

/** The models the gateway can route to, in OpenAI's list shape; each id is a valid {@code model} for a request. */
public record ModelList(JsonNode json) {
    public static ModelList from(Response.Complete response) {
        return new ModelList(response.body().json());
    }

    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        json.path("data").forEach(model -> ids.add(model.path("id").asText()));
        return ids;
    }
}
