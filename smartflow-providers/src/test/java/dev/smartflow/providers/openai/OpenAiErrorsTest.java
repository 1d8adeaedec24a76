package dev.smartflow.providers.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.UpstreamFailure;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Error bodies of every shape compatible servers send; the masking of secrets in them is {@code ScrubberTest}'s. */
final class OpenAiErrorsTest {
    private static final String KEY = "gsk_live_0123456789abcdef";
    private final OpenAiErrors errors = new OpenAiErrors("groq", Optional.of(KEY));

    @Test
    void openAiShapeGivesMessageTypeAndCode() {
        UpstreamFailure failure = errors.fromStatus(404, bytes(Fixtures.text("error-404.json")));

        assertEquals("groq returned HTTP 404: The model `gpt-9-turbo` does not exist or you do not have access to it.",
                failure.getMessage());
        assertEquals("invalid_request_error", failure.type());
        assertEquals("model_not_found", failure.code().orElseThrow());
    }

    @Test
    void errorAsPlainStringIsTheMessage() {
        UpstreamFailure failure = errors.fromStatus(400, bytes("{\"error\":\"model is required\"}"));

        assertEquals("groq returned HTTP 400: model is required", failure.getMessage());
    }

    @Test
    void topLevelMessageIsTheMessage() {
        UpstreamFailure failure = errors.fromStatus(422, bytes("{\"message\":\"Invalid model\",\"object\":\"error\"}"));

        assertEquals("groq returned HTTP 422: Invalid model", failure.getMessage());
        assertEquals(422, failure.status());
    }

    @Test
    void fastApiDetailIsTheMessageEvenWhenItIsAList() {
        UpstreamFailure failure = errors.fromStatus(422,
                bytes("{\"detail\":[{\"loc\":[\"body\",\"messages\"],\"msg\":\"field required\"}]}"));

        assertTrue(failure.getMessage().contains("field required"), failure.getMessage());
    }

    @Test
    void emptyBodyGivesTheStatusAlone() {
        assertEquals("groq returned HTTP 503", errors.fromStatus(503, new byte[0]).getMessage());
    }

    @Test
    void longMessagesAreCut() {
        UpstreamFailure failure = errors.fromStatus(500, bytes("<html>" + "x".repeat(10_000) + "</html>"));

        assertTrue(failure.getMessage().length() < 1_100, "length " + failure.getMessage().length());
    }

    @Test
    void errorObjectIsToldFromAChunkThatMerelyMentionsErrors() {
        assertTrue(OpenAiErrors.isErrorObject(bytes("{\"error\":{\"message\":\"overloaded\"}}")));
        assertTrue(OpenAiErrors.isErrorObject(bytes("{\"id\":\"x\", \"error\" : {\"code\":502}}")));
        assertFalse(OpenAiErrors.isErrorObject(bytes(
                "{\"choices\":[{\"delta\":{\"content\":\"an \\\"error\\\": in quotes\"}}]}")));
        assertFalse(OpenAiErrors.isErrorObject(bytes("{\"choices\":[],\"error\":null}")));
        assertFalse(OpenAiErrors.isErrorObject(bytes("{\"type\":\"error\",\"choices\":[]}")));
    }

    @Test
    void numericCodeInAStreamErrorIsTakenAsItsStatus() {
        UpstreamFailure failure = errors.fromStreamEvent(bytes(
                "{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded: free-models-per-day\"}}"));

        assertEquals(429, failure.status());
        assertTrue(failure.retryable());
    }

    @Test
    void streamErrorWithoutStatusIsABrokenStream() {
        UpstreamFailure failure = errors.fromStreamEvent(bytes(
                "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}"));

        assertEquals(502, failure.status());
        assertEquals("groq: error mid-stream: overloaded", failure.getMessage());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
