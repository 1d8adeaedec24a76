package dev.smartflow.core.keys;

import dev.smartflow.core.exchange.Principal;
import java.util.Optional;

/**
 * Decides who holds a presented token. Thread-safe; called on the hot path, so it never waits on a database (cache
 * what it needs). Implementations compare secrets in constant time and never log them.
 */
@FunctionalInterface
public interface Authenticator {
    /** The caller that {@code token} proves, or empty if Smartflow does not accept it. */
    Optional<Principal> authenticate(String token);

    /** The first authenticator that accepts the token wins. */
    default Authenticator or(Authenticator next) {
        return token -> authenticate(token).or(() -> next.authenticate(token));
    }
}
