package dev.smartflow.providers.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.UpstreamFailure;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Error bodies of every shape compatible servers send, and the masking of secrets in them. */
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

    @ParameterizedTest
    @ValueSource(strings = {
            "Invalid API Key: gsk_live_0123456789abcdef",
            "Authorization header was Bearer abc.def.ghi-jkl",
            "key sk-proj-AbC123xYz789 is revoked",
            "key sk-************Xy9Q is revoked",
            "key key-0123456789abcdef is revoked",
            "key xai-0123456789abcdef is revoked",
            "token nvapi-0123456789abcdef expired",
            "token hf_0123456789abcdef expired"})
    void secretsAreMasked(String message) {
        String scrubbed = errors.scrub(message);

        assertTrue(scrubbed.contains(OpenAiErrors.MASK), scrubbed);
        assertFalse(scrubbed.matches(".*[0-9]{6,}.*"), scrubbed);
        assertFalse(scrubbed.contains("Xy9Q"), scrubbed);
        assertFalse(scrubbed.contains("abc.def"), scrubbed);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Rate limit reached for requests",
            "task-runner failed; see the risk-assessment doc",
            "The model `gpt-4o` does not exist"})
    void ordinaryTextIsLeftAlone(String message) {
        assertEquals(message, errors.scrub(message));
    }

    @Test
    void configuredKeyIsMaskedWhateverItLooksLike() {
        OpenAiErrors custom = new OpenAiErrors("vllm", Optional.of("plainpassword42"));

        assertEquals("bad key " + OpenAiErrors.MASK, custom.scrub("bad key plainpassword42"));
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
