package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Generated images: each a URL or base64 data, with the prompt the provider actually used. */
public record ImageResult(long created, List<Image> images, JsonNode json) {
    public ImageResult {
        images = List.copyOf(images);
        Objects.requireNonNull(json, "json");
    }

    /** One image. */
    public record Image(Optional<String> url, Optional<String> b64Json, Optional<String> revisedPrompt) {
        public Image {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(b64Json, "b64Json");
            Objects.requireNonNull(revisedPrompt, "revisedPrompt");
        }
    }

    static ImageResult from(JsonNode body) {
        return new ImageResult(Json.number(body, "created"), Json.nodes(body, "data").stream()
                .map(item -> new Image(Json.optionalText(item, "url"), Json.optionalText(item, "b64_json"),
                        Json.optionalText(item, "revised_prompt")))
                .toList(), body);
    }
}
