package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.List;

/** An image generation answer in OpenAI's shape, with the {@code x-smartflow-*} headers of the call. */
public record ImageResponse(JsonNode json, Headers headers) {
    public static ImageResponse from(Response.Complete response) {
        return new ImageResponse(response.body().json(), response.headers());
    }

    /** The images' URLs, for answers given as {@code url}. */
    public List<String> urls() {
        return field("url");
    }

    /** The images as base64, for answers given as {@code b64_json}. */
    public List<String> base64() {
        return field("b64_json");
    }

    private List<String> field(String name) {
        List<String> out = new ArrayList<>();
        for (JsonNode image : json.path("data")) {
            if (image.path(name).isTextual()) {
                out.add(image.path(name).textValue());
            }
        }
        return List.copyOf(out);
    }
}
