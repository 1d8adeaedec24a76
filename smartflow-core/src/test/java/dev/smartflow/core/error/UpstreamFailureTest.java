package dev.smartflow.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamFailureTest {
    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 409, 413, 422, 429})
    void clientErrorsTheCallerCanActOnPassThrough(int upstream) {
        // when
        UpstreamFailure failure = UpstreamFailure.status("groq", upstream, "bad", null, null);

        // then
        assertEquals(upstream, failure.status());
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 408, 418})
    void otherStatusesBecome502(int upstream) {
        // when
        UpstreamFailure failure = UpstreamFailure.status("groq", upstream, null, null, null);

        // then
        assertEquals(502, failure.status());
        assertEquals("upstream_error", failure.type());
    }

    @Test
    void passedThroughStatusWithoutATypeIsAnInvalidRequestError() {
        // when
        UpstreamFailure failure = UpstreamFailure.status("groq", 422, "bad field", null, null);

        // then
        assertEquals("invalid_request_error", failure.type());
    }

    @Test
    void upstreamTypeAndCodeAreKept() {
        // when
        UpstreamFailure failure = UpstreamFailure.status("openai", 429, "slow down", "rate_limit_error",
                "rate_limit_exceeded");

        // then
        assertEquals("rate_limit_error", failure.type());
        assertEquals(Optional.of("rate_limit_exceeded"), failure.code());
    }

    @Test
    void statusFailureRemembersProviderAndUpstreamStatus() {
        // when
        UpstreamFailure failure = UpstreamFailure.status("openai", 503, "overloaded", null, null);

        // then
        assertEquals("openai", failure.provider());
        assertEquals(OptionalInt.of(503), failure.upstreamStatus());
        assertTrue(failure.getMessage().contains("openai returned HTTP 503: overloaded"), failure.getMessage());
    }

    @Test
    void timeoutIs504() {
        // given
        SocketTimeoutException cause = new SocketTimeoutException("read timed out");

        // when
        UpstreamFailure failure = UpstreamFailure.timeout("anthropic", cause);

        // then
        assertEquals(504, failure.status());
        assertEquals("timeout_error", failure.type());
        assertEquals(OptionalInt.empty(), failure.upstreamStatus());
        assertSame(cause, failure.getCause());
    }

    @Test
    void ioFailureIs502() {
        // when
        UpstreamFailure failure = UpstreamFailure.io("gemini", "connection reset", new IOException("reset"));

        // then
        assertEquals(502, failure.status());
        assertEquals("upstream_error", failure.type());
        assertEquals(Optional.of("upstream_unavailable"), failure.code());
    }

    @ParameterizedTest
    @CsvSource({
            "400, false", "401, false", "403, false", "404, false", "409, false", "413, false", "422, false",
            "408, true", "429, true", "500, true", "502, true", "503, true", "504, true"})
    void retryableFollowsTheUpstreamStatus(int upstream, boolean retryable) {
        // when
        UpstreamFailure failure = UpstreamFailure.status("groq", upstream, null, null, null);

        // then
        assertEquals(retryable, failure.retryable());
    }

    @Test
    void timeoutIsRetryable() {
        // when / then
        assertTrue(UpstreamFailure.timeout("groq", null).retryable());
    }

    @Test
    void ioFailureIsRetryable() {
        // when / then
        assertTrue(UpstreamFailure.io("groq", "connection refused", null).retryable());
    }
}
