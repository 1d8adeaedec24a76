package dev.smartflow.server.management;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.keys.VirtualKeys;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How the management routes read their query parameters, so that every one of them answers a bad value alike: a 400
 * in OpenAI's shape naming the parameter, never a 500 from a value the database cannot hold (a year beyond 9999, a
 * NUL) or a number that overflows.
 */
public final class QueryParameters {
    /** The years 0001..9999: plenty for audit records, and far inside what microseconds in a long can hold. */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");
    /** The longest text filter; nothing the filters match (provider names, key ids) is longer. */
    static final int MAX_TEXT = 256;

    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,9}");

    private QueryParameters() {
    }

    /** {@code text} as a whole number within {@code min..max}, else a 400 naming {@code param}. */
    public static int wholeNumber(String text, String param, int min, int max) {
        String stripped = text.strip();
        int value = WHOLE_NUMBER.matcher(stripped).matches() ? Integer.parseInt(stripped) : min - 1;
        if (value < min || value > max) {
            throw new InvalidRequest(String.format(Locale.ROOT, "'%s' must be a whole number from %d to %d", param,
                    min, max), "invalid_request", param);
        }
        return value;
    }

    /**
     * A date's first instant in UTC (or, with {@code dayEnd}, the next day's), or an ISO-8601 instant with {@code Z} or
     * an offset, within the years 0001..9999; else a 400 naming {@code param}. An offset's {@code +} sent unencoded
     * arrives as a space, which no valid form has, so it is read as {@code +}.
     */
    public static Instant instant(String text, String param, boolean dayEnd) {
        String value = text.strip().replace(' ', '+');
        Instant instant;
        try {
            if (DATE.matcher(value).matches()) {
                LocalDate date = LocalDate.parse(value);
                instant = (dayEnd ? date.plusDays(1) : date).atStartOfDay(ZoneOffset.UTC).toInstant();
            } else {
                instant = OffsetDateTime.parse(value).toInstant();
            }
        } catch (DateTimeException e) {
            throw new InvalidRequest("'" + param + "' must be a date (YYYY-MM-DD, UTC) or an ISO-8601 instant with an "
                    + "offset, such as 2026-11-23T10:00:00Z", "invalid_request", param);
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new InvalidRequest("'" + param + "' must be within the years 0001 to 9999", "invalid_request",
                    param);
        }
        return instant;
    }

    /**
     * {@code text} stripped, if it is not blank, at most {@value #MAX_TEXT} characters and free of control characters
     * (PostgreSQL refuses a NUL even in a comparison); else a 400 naming {@code param} that says {@code expected}.
     */
    public static String text(String text, String param, String expected) {
        String value = text.strip();
        if (value.isEmpty() || VirtualKeys.textProblem(value, MAX_TEXT).isPresent()) {
            throw new InvalidRequest("'" + param + "' must be " + expected + " (at most " + MAX_TEXT
                    + " characters, no control characters)", "invalid_request", param);
        }
        return value;
    }
}
