package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.spi.SharedState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client requests in flight on this instance, by owner (client session or stateless caller) and JSON-RPC id, so
 * that a client's {@code notifications/cancelled} cancels the request it names, on whichever instance it runs: the
 * instance that gets the notification cancels its own request, or else publishes the cancel to the others (pub/sub
 * in the shared state, at most once; a cancel is advice, and a request it misses simply completes).
 *
 * <p>A client cancels only its own requests: the owner is derived from its session or key exactly as for the request.
 * What goes over pub/sub is a digest of owner and id, never the session id itself.
 *
 * <p>Thread-safe.
 */
final class InFlight implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InFlight.class.getName());

    private final SharedState state;
    private final String channel;
    private final Map<String, Cancellation> requests = new ConcurrentHashMap<>();
    private final SharedState.Subscription subscription;

    InFlight(SharedState state, String prefix) {
        this.state = Objects.requireNonNull(state, "state");
        this.channel = prefix + "cancel";
        this.subscription = state.subscribe(channel, this::cancelHere);
    }

    /** A request's registration; closing it (when the request is done) forgets it. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Registers a request that {@code cancellation} cancels. */
    Registration add(String owner, JsonNode id, Cancellation cancellation) {
        String key = key(owner, id);
        requests.put(key, cancellation);
        return () -> requests.remove(key, cancellation);
    }

    /** Cancels the owner's request {@code id}: here if it runs here, else wherever it runs. */
    void cancel(String owner, JsonNode id) {
        String key = key(owner, id);
        if (!cancelHere(key)) {
            try {
                state.publish(channel, key);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "publishing a cancel failed: " + e);
            }
        }
    }

    private boolean cancelHere(String key) {
        Cancellation cancellation = requests.remove(key);
        if (cancellation == null) {
            return false;
        }
        cancellation.cancel();
        return true;
    }

    private static String key(String owner, JsonNode id) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(owner.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(id.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
