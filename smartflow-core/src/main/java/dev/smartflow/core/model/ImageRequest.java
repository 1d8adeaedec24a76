package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.util.Objects;

/**
 * An image generation request in OpenAI's shape ({@code POST /v1/images/generations}); every field reaches the
 * provider as written.
 *
 * <pre>{@code
 * ImageResponse images = smartflow.images(ImageRequest.of("dall-e-3", "A lighthouse at dawn").withSize("1024x1024"));
 * }</pre>
 */
public final class ImageRequest {
    private final Body body;

    private ImageRequest(Body body) {
        this.body = body;
    }

    public static ImageRequest of(String model, String prompt) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        ObjectNode json = Body.MAPPER.createObjectNode().put("model", model).put("prompt", prompt);
        return new ImageRequest(Body.of(json));
    }

    /** Takes a request body exactly as a caller wrote it. */
    public static ImageRequest fromJson(String json) {
        return new ImageRequest(Body.json(json));
    }

    /** This request for {@code n} images. */
    public ImageRequest withCount(int n) {
        return new ImageRequest(body.edit(o -> o.put("n", n)));
    }

    /** This request at {@code size}, e.g. {@code 1024x1024}. */
    public ImageRequest withSize(String size) {
        Objects.requireNonNull(size, "size");
        return new ImageRequest(body.edit(o -> o.put("size", size)));
    }

    public Body body() {
        return body;
    }

    @Override
    public String toString() {
        return "ImageRequest[" + Requests.model(body) + "]";
    }
}
