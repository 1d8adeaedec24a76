package dev.smartflow.server.http;

import dev.smartflow.core.exchange.Cancellation;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Cancels an exchange when its caller's connection closes while the handler is still busy with it, typically blocked
 * in an upstream call that may take minutes; the cancellation aborts that call (see {@link Cancellation}).
 *
 * <p>Why Jetty needs help here: an HTTP/1.1 connection in Jetty 12 stops reading once the request's body is consumed
 * and reads again only when the handler is done, so a client's FIN or RST goes unseen while the handler blocks.
 * Neither {@code Request.addFailureListener} nor {@code Connection.Listener.onClosed} fires then (checked against
 * 12.1.12: both fire only after the handler returns), and {@code Request.demand} after the body's end calls back at
 * once. So the watch registers its own fill interest on the connection's {@code EndPoint}: the selector reports the
 * socket readable when the FIN or RST arrives, and a one-byte read tells which. End of stream (or a failed read, or a
 * failed fill interest: the endpoint was closed) means the client is gone: the exchange is cancelled. A byte means the
 * client pipelined its next request; it is handed back to the connection the way an upgrade hands over unread bytes
 * ({@link Connection.UpgradeTo}), so Jetty parses that request whole, and the watch stops. Like nginx, a client that
 * half-closes its side after sending the request counts as gone.
 *
 * <p>{@link #close()} withdraws the fill interest before the handler returns, so that the connection can register its
 * own for the next request; it waits for a read in progress, so the watch and the connection never read at once. For
 * HTTP/2 and later, whose streams share one connection that Jetty always reads, the request's failure listener does
 * the job on its own: a reset stream fails the request. That listener is registered for HTTP/1 too, for the failures
 * Jetty does see.
 *
 * <p>The fill interest is armed only once a call has run for {@value #ARM_AFTER_MILLIS} ms, by one daemon thread that
 * wakes every {@value #TICK_MILLIS} ms. Registering it changes the selector's interest in the socket, which wakes the
 * selector thread: a context switch that a call of a few milliseconds (most of them, at full load) should not pay,
 * while a call that waits on a model for seconds loses nothing by being watched a quarter of a second late. Until
 * then a watch costs a set insert and a set remove.
 */
public final class DisconnectWatch implements AutoCloseable {
    static final long ARM_AFTER_MILLIS = 250;
    static final long TICK_MILLIS = 100;
    private static final System.Logger LOG = System.getLogger(DisconnectWatch.class.getName());
    private static final CancellationException WITHDRAWN = new CancellationException("the watch is closed");

    private enum State { WAITING, WATCHING, DONE }

    private final ReentrantLock lock = new ReentrantLock();
    private final Cancellation cancellation;
    private final AbstractEndPoint endPoint;
    private final Connection connection;
    private final Callback readable = new Readable();
    private final long startNanos = System.nanoTime();
    private State state = State.WAITING;

    private DisconnectWatch(Cancellation cancellation, AbstractEndPoint endPoint, Connection connection) {
        this.cancellation = cancellation;
        this.endPoint = endPoint;
        this.connection = connection;
    }

    /**
     * Starts watching the connection of {@code ctx}'s request, whose body must have been read whole; cancels
     * {@code cancellation} when the client goes away. Close the watch before the handler returns.
     */
    public static DisconnectWatch start(Context ctx, Cancellation cancellation) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) {
            return new DisconnectWatch(cancellation, null, null);
        }
        request.addFailureListener(failure -> cancellation.cancel());
        ConnectionMetaData meta = request.getConnectionMetaData();
        Connection connection = meta.getConnection();
        if (meta.getHttpVersion().getVersion() >= 20 || !(connection instanceof Connection.UpgradeTo)
                || !(connection.getEndPoint() instanceof AbstractEndPoint endPoint)) {
            return new DisconnectWatch(cancellation, null, null);
        }
        DisconnectWatch watch = new DisconnectWatch(cancellation, endPoint, connection);
        Arming.WAITING.add(watch);
        return watch;
    }

    /** Stops watching; waits for a read in progress to finish. */
    @Override
    public void close() {
        if (endPoint == null) {
            return;
        }
        Arming.WAITING.remove(this);
        State was;
        lock.lock();
        try {
            was = state;
            state = State.DONE;
        } finally {
            lock.unlock();
        }
        if (was == State.WATCHING) {
            // fails our callback, which now sees DONE and does nothing
            endPoint.getFillInterest().onFail(WITHDRAWN);
        }
    }

    /** Registers the fill interest, unless the watch was closed meanwhile. */
    private void arm() {
        lock.lock();
        try {
            if (state != State.WAITING) {
                return;
            }
            // set first: the callback may run before tryFillInterested returns
            state = State.WATCHING;
            if (!endPoint.tryFillInterested(readable)) {
                // someone already reads this connection, so Jetty will see the close itself
                state = State.DONE;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The watches not armed yet, and the daemon thread that arms them once their call has run long enough. */
    private static final class Arming {
        static final Set<DisconnectWatch> WAITING = ConcurrentHashMap.newKeySet();

        static {
            Thread.ofPlatform().name("smartflow-disconnect-watch").daemon().start(Arming::run);
        }

        private static void run() {
            long armAfter = Duration.ofMillis(ARM_AFTER_MILLIS).toNanos();
            while (true) {
                LockSupport.parkNanos(Duration.ofMillis(TICK_MILLIS).toNanos());
                long now = System.nanoTime();
                for (DisconnectWatch watch : WAITING) {
                    if (now - watch.startNanos >= armAfter && WAITING.remove(watch)) {
                        try {
                            watch.arm();
                        } catch (RuntimeException e) {
                            LOG.log(System.Logger.Level.WARNING, "watching a connection failed", e);
                        }
                    }
                }
            }
        }
    }

    private final class Readable implements Callback {
        @Override
        public void succeeded() {
            boolean gone;
            lock.lock();
            try {
                if (state != State.WATCHING) {
                    return;
                }
                ByteBuffer probe = BufferUtil.allocate(1);
                int read;
                try {
                    read = endPoint.fill(probe);
                } catch (IOException e) {
                    read = -1;
                }
                if (read == 0) {
                    // woken without data (TLS records, say): keep watching
                    if (!endPoint.tryFillInterested(this)) {
                        state = State.DONE;
                    }
                    return;
                }
                state = State.DONE;
                gone = read < 0;
                if (!gone) {
                    ((Connection.UpgradeTo) connection).onUpgradeTo(probe);
                }
            } finally {
                lock.unlock();
            }
            if (gone) {
                LOG.log(System.Logger.Level.DEBUG, "the client closed its connection; cancelling its exchange");
                cancellation.cancel();
            }
        }

        @Override
        public void failed(Throwable failure) {
            lock.lock();
            try {
                if (state != State.WATCHING) {
                    return;
                }
                state = State.DONE;
            } finally {
                lock.unlock();
            }
            cancellation.cancel();
        }
    }
}
