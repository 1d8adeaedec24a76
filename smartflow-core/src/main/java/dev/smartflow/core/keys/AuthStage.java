package dev.smartflow.core.keys;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.error.Unauthorized;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import java.util.Objects;
import java.util.Optional;

/**
 * Authenticates the caller from {@code Authorization: Bearer <token>} or {@code x-api-key: <token>} and sets the
 * exchange's principal; fails with 401 otherwise. An exchange that arrives already authenticated (an in-process caller
 * with a known identity) passes unchanged.
 */
public final class AuthStage implements Stage {
    private final Authenticator authenticator;

    public AuthStage(Authenticator authenticator) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (exchange.principal().authenticated()) {
            return chain.proceed(exchange);
        }
        String token = token(exchange.headers()).orElseThrow(() -> new Unauthorized(
                "missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'"));
        Principal principal = authenticator.authenticate(token)
                .orElseThrow(() -> new Unauthorized("invalid API key"));
        exchange.get(Trail.KEY).ifPresent(trail -> trail.principal(principal));
        return chain.proceed(exchange.withPrincipal(principal));
    }

    /** The presented token, from {@code Authorization: Bearer} first, then {@code x-api-key}. */
    public static Optional<String> token(Headers headers) {
        Optional<String> authorization = headers.get("authorization");
        if (authorization.isPresent()) {
            String value = authorization.get().strip();
            if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                String token = value.substring(7).strip();
                return token.isEmpty() ? Optional.empty() : Optional.of(token);
            }
        }
        return headers.get("x-api-key").map(String::strip).filter(t -> !t.isEmpty());
    }
}
