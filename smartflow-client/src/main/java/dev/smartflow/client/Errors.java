package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import okhttp3.Headers;

/** Turns the gateway's error answers and transport failures into the {@link SmartflowException} family. */
final class Errors {
    static final String REQUEST_ID = "x-smartflow-request-id";

    private Errors() {
    }

    /**
     * The exception for an error answer: its status, the error body in OpenAI's or Anthropic's shape (or none), and
     * the headers that say more (retry, budget, provider, request id).
     */
    static SmartflowException fromAnswer(int status, Headers headers, JsonNode body, Instant now) {
        JsonNode error = body.path("error");
        String message = error.isTextual() ? error.asText() : Json.text(error, "message",
                Json.text(body, "message", Json.text(body, "detail")));
        String type = Json.text(error, "type", Json.text(body, "type"));
        if (type.equals("error")) {
            type = "";
        }
        String code = Json.optionalText(error, "code").orElse(null);
        String param = Json.optionalText(error, "param").orElse(null);
        String requestId = headers.get(REQUEST_ID);
        String shown = "HTTP " + status + (type.isEmpty() ? "" : " " + type)
                + (message.isEmpty() ? "" : ": " + message);
        return switch (status) {
            case 401 -> new AuthenticationException(shown, type, code, requestId);
            case 402, 429 -> rateLimited(shown, status, type, code, requestId, headers, body, now);
            case 403 -> isCompliance(type, code)
                    ? new ComplianceException(shown, status, type, code, requestId, findings(error))
                    : new SmartflowException(shown, status, type, code, param, requestId, null);
            case 502, 503, 504 -> new ProviderException(shown, status, type, code, requestId,
                    headers.get("x-smartflow-provider"));
            default -> new SmartflowException(shown, status, type, code, param, requestId, null);
        };
    }

    /** An error event inside a stream ({@code data: {"error": {...}}}): the stream had begun, so no status. */
    static SmartflowException fromStreamEvent(JsonNode event, String requestId) {
        JsonNode error = event.path("error");
        String type = Json.text(error, "type", "stream_error");
        String message = "the stream failed: " + Json.text(error, "message", "no reason given");
        String code = Json.optionalText(error, "code").orElse(null);
        if (isCompliance(type, code)) {
            return new ComplianceException(message, 0, type, code, requestId, findings(error));
        }
        return new ProviderException(message, 0, type, code, requestId, null);
    }

    static SmartflowException fromIo(IOException e, String what) {
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return new SmartflowTimeoutException(what + " timed out", e);
        }
        return new SmartflowConnectionException(what + " failed: cannot reach the gateway ("
                + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }

    private static boolean isCompliance(String type, String code) {
        return type.contains("compliance") || (code != null && code.contains("compliance"));
    }

    /** The finding types a compliance error lists, under any of the names the gateway may use. */
    private static List<String> findings(JsonNode error) {
        List<String> found = new ArrayList<>();
        for (String field : List.of("finding_types", "findings", "violations", "pii_detected")) {
            found.addAll(Json.strings(error, field));
        }
        return found.stream().distinct().toList();
    }

    private static RateLimitException rateLimited(String message, int status, String type, String code,
                                                  String requestId, Headers headers, JsonNode body, Instant now) {
        boolean budget = status == 402 || "true".equalsIgnoreCase(headers.get("x-smartflow-budget-exceeded"))
                || type.contains("budget");
        BigDecimal remaining = Optional.ofNullable(headers.get("x-smartflow-budget-remaining"))
                .flatMap(Errors::decimal)
                .or(() -> body.path("remaining_usd").isNumber() ? Optional.of(body.path("remaining_usd")
                        .decimalValue()) : Optional.empty())
                .orElse(null);
        return new RateLimitException(message, status, type, code, requestId,
                retryAfter(headers, now).orElse(null), budget, remaining,
                limitHeader(headers, "x-ratelimit-limit-"), limitHeader(headers, "x-ratelimit-remaining-"));
    }

    /** {@code Retry-After} as seconds or an HTTP date; empty when absent or unreadable. */
    static Optional<Duration> retryAfter(Headers headers, Instant now) {
        String value = headers.get("retry-after");
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String text = value.strip();
        try {
            return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000)))
                    .filter(d -> !d.isNegative());
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static long limitHeader(Headers headers, String prefix) {
        for (String name : headers.names()) {
            if (name.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                try {
                    return Long.parseLong(headers.get(name).strip());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static Optional<BigDecimal> decimal(String text) {
        try {
            return Optional.of(new BigDecimal(text.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
