package dev.smartflow.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code dashboard:} section of the configuration file.
 *
 * @param enabled        serve the dashboard, SafeChat and the login routes (default true)
 * @param sessionTtl     how long a login lasts ({@code session_ttl_minutes}, default 480)
 * @param secureCookie   {@code auto} (Secure when the request came over TLS, or through a proxy that says
 *                       {@code X-Forwarded-Proto: https}), {@code true} or {@code false}
 * @param loginFailures  failed logins per user name or client address within {@code loginWindow} before further
 *                       attempts wait ({@code login_failures}, default 5)
 * @param loginWindow    {@code login_window_minutes}, default 15
 * @param sessionRecheck how long an instance trusts what it read in the shared state about a session (revoked or
 *                       not, the user's epoch) before reading it again, should a pub/sub message have been lost
 *                       ({@code session_recheck_seconds}, default 5; 0 reads it on every request)
 * @param statePrefix    what the dashboard's keys and channel in the shared state start with ({@code state_prefix},
 *                       default {@code smartflow:dashboard:})
 */
record DashboardSettings(boolean enabled, Duration sessionTtl, String secureCookie, int loginFailures,
                         Duration loginWindow, Duration sessionRecheck, String statePrefix) {
    static DashboardSettings from(JsonNode section) {
        long ttl = section.path("session_ttl_minutes").asLong(480);
        int failures = section.path("login_failures").asInt(5);
        long window = section.path("login_window_minutes").asLong(15);
        String secure = section.path("secure_cookie").asText("auto").toLowerCase(Locale.ROOT);
        long recheck = section.path("session_recheck_seconds").asLong(5);
        String prefix = section.path("state_prefix").asText("smartflow:dashboard:");
        if (recheck < 0 || recheck > 3600) {
            throw new IllegalArgumentException("dashboard.session_recheck_seconds is 0 to 3600: " + recheck);
        }
        if (prefix.isBlank()) {
            throw new IllegalArgumentException("dashboard.state_prefix must not be blank");
        }
        if (ttl < 1 || ttl > 7 * 24 * 60) {
            throw new IllegalArgumentException("dashboard.session_ttl_minutes is 1 to 10080: " + ttl);
        }
        if (failures < 1 || window < 1) {
            throw new IllegalArgumentException("dashboard.login_failures and login_window_minutes are at least 1");
        }
        if (!secure.equals("auto") && !secure.equals("true") && !secure.equals("false")) {
            throw new IllegalArgumentException("dashboard.secure_cookie is auto, true or false: " + secure);
        }
        return new DashboardSettings(section.path("enabled").asBoolean(true), Duration.ofMinutes(ttl), secure,
                failures, Duration.ofMinutes(window), Duration.ofSeconds(recheck), prefix);
    }

    /** Whether cookies set on this request get the Secure attribute. */
    boolean secure(Context ctx) {
        return switch (secureCookie) {
            case "true" -> true;
            case "false" -> false;
            default -> "https".equalsIgnoreCase(ctx.scheme())
                    || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        };
    }
}
