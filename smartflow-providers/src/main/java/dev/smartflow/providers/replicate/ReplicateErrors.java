package dev.smartflow.providers.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns Replicate's errors into {@link UpstreamFailure}s. Replicate answers errors as problem details
 * ({@code {"title", "detail", "status"}}, a 422 with {@code invalid_fields} for inputs the model rejects); a prediction
 * that ran and failed is a 200 whose {@code status} is {@code failed} and whose {@code error} says why; a stream
 * reports failure in an {@code error} event. Statuses pass through as {@link UpstreamFailure} allows; a failed or
 * cancelled prediction is a retryable 502, as a model's own error is. Messages are scrubbed of the key and anything
 * token-shaped ({@link Scrubber}).
 */
final class ReplicateErrors {
    private final String provider;
    private final Scrubber scrubber;

    ReplicateErrors(String provider, Scrubber scrubber) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.scrubber = Objects.requireNonNull(scrubber, "scrubber");
    }

    UpstreamFailure fromStatus(int status, byte[] body) {
        JsonNode json = UpstreamHttp.lenientJson(body);
        String message;
        if (json.isObject()) {
            message = scrubber.clean(json.path("detail").asText(json.path("title").asText(null)));
        } else {
            message = scrubber.clean(new String(body, StandardCharsets.UTF_8));
        }
        return UpstreamFailure.status(provider, status, message, null, null);
    }

    /** A prediction that ended {@code failed} or {@code canceled}. */
    UpstreamFailure fromPrediction(JsonNode prediction) {
        String status = prediction.path("status").asText("");
        String error = prediction.path("error").isTextual() ? scrubber.clean(prediction.path("error").textValue())
                : null;
        return UpstreamFailure.io(provider, "prediction " + (status.equals("canceled") ? "was cancelled" : "failed")
                + (error == null ? "" : ": " + error), null);
    }

    /** An {@code error} event of a prediction's stream. */
    UpstreamFailure fromStreamEvent(byte[] data) {
        JsonNode json = UpstreamHttp.lenientJson(data);
        String detail = json.isObject() ? json.path("detail").asText(null) : new String(data, StandardCharsets.UTF_8);
        String message = scrubber.clean(detail);
        return UpstreamFailure.io(provider, "prediction failed mid-stream" + (message == null ? "" : ": " + message),
                null);
    }
}
