package dev.smartflow.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on {@code 127.0.0.1} in front of a real server, for tests of what a client does when that server goes
 * away and comes back, without touching the server (which other suites share).
 *
 * <ul>
 *   <li>{@link #cut()}: drops every relayed connection and refuses new ones (accepted and closed at once), as a stopped
 *       server would;
 *   <li>{@link #stall()}: keeps connections open but relays nothing, either way, so the client's bytes never reach the
 *       server and it hears nothing back, as from a hung server or a broken network;
 *   <li>{@link #restore()}: relays again; connections opened before it are dropped, as after a restart.
 * </ul>
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 6379)) {
 *     SharedState state = RedisSharedState.connect("redis://127.0.0.1:" + proxy.port());
 *     proxy.cut();
 * }
 * }</pre>
 */
public final class TcpProxy implements AutoCloseable {
    private enum Mode { RELAY, CUT, STALL }

    private final String host;
    private final int port;
    private final ServerSocket listener;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong swallowed = new AtomicLong();
    private volatile Mode mode = Mode.RELAY;

    private TcpProxy(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("tcp-proxy-accept").start(this::accept);
    }

    /** A relay to {@code host:port}, listening on a free port of {@code 127.0.0.1}. */
    public static TcpProxy to(String host, int port) {
        try {
            return new TcpProxy(host, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Bytes clients sent that never reached the server, because the relay was stalled. */
    public long swallowed() {
        return swallowed.get();
    }

    public void cut() {
        mode = Mode.CUT;
        closeAll(List.copyOf(links));
    }

    public void stall() {
        mode = Mode.STALL;
    }

    public void restore() {
        List<Link> before = List.copyOf(links);
        mode = Mode.RELAY;
        closeAll(before);
    }

    @Override
    public void close() {
        mode = Mode.CUT;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        closeAll(List.copyOf(links));
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            Mode now = mode;
            if (now == Mode.CUT) {
                close(client);
                continue;
            }
            Socket server = null;
            if (now == Mode.RELAY) {
                try {
                    server = new Socket(host, port);
                } catch (IOException e) {
                    close(client);
                    continue;
                }
            }
            Link link = new Link(client, server);
            links.add(link);
            Thread.ofVirtual().name("tcp-proxy-up").start(() -> pump(link, client, link.server));
            if (server != null) {
                Socket from = server;
                Thread.ofVirtual().name("tcp-proxy-down").start(() -> pump(link, from, client));
            }
        }
    }

    /** Copies {@code from} to {@code to} while relaying; swallows what arrives while stalled or with no {@code to}. */
    private void pump(Link link, Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to == null ? null : to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (out != null && mode == Mode.RELAY) {
                    out.write(buffer, 0, n);
                    out.flush();
                } else if (from == link.client()) {
                    swallowed.addAndGet(n);
                }
            }
        } catch (IOException e) {
            // the link is going away
        } finally {
            closeAll(List.of(link));
        }
    }

    private void closeAll(List<Link> toClose) {
        for (Link link : toClose) {
            links.remove(link);
            close(link.client);
            if (link.server != null) {
                close(link.server);
            }
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private record Link(Socket client, Socket server) {
    }
}
