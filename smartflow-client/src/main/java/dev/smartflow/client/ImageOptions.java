package dev.smartflow.client;

import java.util.Objects;
import java.util.Optional;

/** How to generate images: model (default {@code dall-e-3}), count, size, quality, response format and style. */
public record ImageOptions(String model, int n, String size, Optional<String> quality, String responseFormat,
                           Optional<String> style) {
    public ImageOptions {
        Objects.requireNonNull(model, "model");
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive, not " + n);
        }
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(responseFormat, "responseFormat");
        Objects.requireNonNull(style, "style");
    }

    public static ImageOptions defaults() {
        return new ImageOptions("dall-e-3", 1, "1024x1024", Optional.empty(), "url", Optional.empty());
    }

    public ImageOptions withModel(String value) {
        return new ImageOptions(value, n, size, quality, responseFormat, style);
    }

    public ImageOptions withN(int value) {
        return new ImageOptions(model, value, size, quality, responseFormat, style);
    }

    public ImageOptions withSize(String value) {
        return new ImageOptions(model, n, value, quality, responseFormat, style);
    }

    public ImageOptions withQuality(String value) {
        return new ImageOptions(model, n, size, Optional.of(value), responseFormat, style);
    }

    public ImageOptions withResponseFormat(String value) {
        return new ImageOptions(model, n, size, quality, value, style);
    }

    public ImageOptions withStyle(String value) {
        return new ImageOptions(model, n, size, quality, responseFormat, Optional.of(value));
    }
}
