package dev.smartflow.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SmartflowExceptionTest {
    @Test
    void invalidRequestIs400WithItsParam() {
        // when
        SmartflowException failure = new InvalidRequest("bad model", "invalid_request", "model");

        // then
        assertEquals(400, failure.status());
        assertEquals("invalid_request_error", failure.type());
        assertEquals(Optional.of("model"), failure.param());
        assertEquals(Optional.of("invalid_request"), failure.code());
    }

    @Test
    void invalidRequestWithoutDetailsHasNoParamOrCode() {
        // when
        SmartflowException failure = new InvalidRequest("bad");

        // then
        assertEquals(Optional.empty(), failure.param());
        assertEquals(Optional.empty(), failure.code());
    }

    @Test
    void unauthorizedIs401WithCodeInvalidApiKey() {
        // when
        SmartflowException failure = new Unauthorized("invalid API key");

        // then
        assertEquals(401, failure.status());
        assertEquals(Optional.of("invalid_api_key"), failure.code());
    }

    @Test
    void notFoundIs404() {
        // when
        SmartflowException failure = new NotFound("no such model", "model_not_found");

        // then
        assertEquals(404, failure.status());
        assertEquals("invalid_request_error", failure.type());
    }

    @Test
    void permissionDeniedIs403WithOpenAisPermissionErrorType() {
        // given
        SmartflowException denied = new PermissionDenied("this key may not call openai", "provider_not_allowed");

        // then
        assertEquals(403, denied.status());
        assertEquals("permission_error", denied.type());
        assertEquals("provider_not_allowed", denied.code().orElseThrow());
    }

    @Test
    void statusOfEveryErrorCanBeMappedWithOneExhaustiveSwitch() {
        // given
        SmartflowException failure = new Unauthorized("x");

        // when
        String kind = switch (failure) {
            case InvalidRequest e -> "invalid";
            case Unauthorized e -> "unauthorized";
            case PermissionDenied e -> "denied";
            case NotFound e -> "not-found";
            case RateLimited e -> "rate-limited";
            case BudgetExceeded e -> "budget";
            case UpstreamFailure e -> "upstream";
            case StateUnavailable e -> "state";
            case GatewayError e -> "gateway";
            case ClientClosed e -> "client-closed";
        };

        // then
        assertEquals("unauthorized", kind);
    }

    @Test
    void budgetExceededCarriesItsHeadersAndOpenAiCodes() {
        BudgetExceeded failure = new BudgetExceeded(1_500);

        assertEquals(429, failure.status());
        assertEquals("budget_exceeded", failure.type());
        assertEquals(Optional.of("insufficient_quota"), failure.code());
        assertEquals(Optional.of("true"), failure.headers().get("X-Smartflow-Budget-Exceeded"));
        assertEquals(Optional.of("0.001500"), failure.headers().get("X-Smartflow-Budget-Remaining"));
    }

    @Test
    void stateUnavailableIs503WithRetryAfterAndSaysWhatFailed() {
        StateUnavailable failure = new StateUnavailable("Redis did not answer within 500ms", null);

        assertEquals(503, failure.status());
        assertEquals("server_error", failure.type());
        assertEquals(Optional.of("state_unavailable"), failure.code());
        assertEquals(Optional.of("1"), failure.headers().get("Retry-After"));
        assertEquals("shared state is unreachable (Redis did not answer within 500ms); retry shortly",
                failure.getMessage());
    }

    @Test
    void mostErrorsCarryNoHeaders() {
        assertEquals(0, new Unauthorized("x").headers().size());
    }
}
