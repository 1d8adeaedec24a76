package dev.smartflow.core.testing;

import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.spi.SharedState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link SharedState} over another that an outage can be switched on for: while {@link #down()} is set, every call
 * fails with {@link StateUnavailable}, as {@code RedisSharedState} fails while Redis is unreachable, and
 * {@link SharedState#reachable()} is false.
 */
public final class UnreachableState {
    private final AtomicBoolean down = new AtomicBoolean();
    private final SharedState state;

    public UnreachableState(SharedState delegate) {
        this.state = (SharedState) Proxy.newProxyInstance(SharedState.class.getClassLoader(),
                new Class<?>[] {SharedState.class}, (proxy, method, args) -> {
                    if (method.getName().equals("reachable")) {
                        return !down.get();
                    }
                    if (down.get() && !method.getName().equals("close")) {
                        throw new StateUnavailable("test outage", null);
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The state to hand to the code under test. */
    public SharedState state() {
        return state;
    }

    /** The outage switch: set it to make every call fail. */
    public AtomicBoolean down() {
        return down;
    }
}
