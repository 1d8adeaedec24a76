package dev.smartflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake OpenAI-compatible HTTP/1.1 upstream for load tests.
 *
 * <p>One NIO selector thread serves every connection: under wrk at 32 connections on one core it beats
 * a thread per connection because a single epoll wake-up serves many ready sockets without context switches.
 * Every response body is precomputed, so the per-request cost is parsing the request head and one write.
 *
 * <p>For the reliability drills ({@code bench/drills.sh}) a chat request can ask for a misbehaving answer with a
 * {@code fault:<name>} marker anywhere in its body (the gateway forwards the body byte for byte but not the client's
 * headers): see {@link Fault}. A {@code drill-seq:<n>} marker is remembered with the time it arrived, so a drill can
 * tell which of its calls reached the upstream and when ({@code GET /stats/received}); {@code GET /stats} counts
 * requests, connections and faults.
 */
public final class FakeUpstream implements AutoCloseable {

    /**
     * @param chunks        chunks of a streamed answer
     * @param chunkDelayMs  pause before each chunk of a streamed answer after the first
     * @param answerDelayMs pause before a complete (non-streamed) chat answer is sent: a provider's thinking time, so
     *                      a cache hit can be compared with an upstream that is not instant
     */
    public record Options(int chunks, long chunkDelayMs, long answerDelayMs) {
        public Options {
            if (chunks < 1) {
                throw new IllegalArgumentException("chunks must be >= 1: " + chunks);
            }
            if (chunkDelayMs < 0) {
                throw new IllegalArgumentException("chunkDelayMs must be >= 0: " + chunkDelayMs);
            }
            if (answerDelayMs < 0) {
                throw new IllegalArgumentException("answerDelayMs must be >= 0: " + answerDelayMs);
            }
        }

        public Options(int chunks, long chunkDelayMs) {
            this(chunks, chunkDelayMs, 0);
        }

        public static Options defaults() {
            return new Options(8, 0);
        }
    }

    /** A misbehaviour a chat request asks for with {@code fault:<token>} in its body. */
    public enum Fault {
        /** The normal answer. */
        OK("ok"),
        /** 500 with an OpenAI error body. */
        SERVER_ERROR("500"),
        /** 429 with {@code Retry-After: 1}. */
        RATE_LIMITED("429"),
        /** The head and half the body of a normal answer, then a TCP reset. */
        RESET("reset"),
        /** Never answers; the connection stays open until the peer closes it. */
        STALL("stall"),
        /**
         * Like {@link #STALL}, for a call whose client gives up early (the drill's load client does): how long the
         * gateway keeps the upstream connection after its client left shows whether it cancels the upstream call.
         */
        ABANDON("abandon"),
        /** A stream's head and two chunks, then the connection closes without the last chunk or {@code [DONE]}. */
        TRUNCATED("truncated"),
        /** 200 {@code application/json} whose body is not JSON. */
        GARBAGE("garbage"),
        /** A complete stream whose chunks come {@link #DRIP_DELAY_MS} apart. */
        DRIP("drip");

        public static final long DRIP_DELAY_MS = 250;

        private final String token;

        Fault(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }

        /** Whether the request must ask for a stream for the fault to make sense. */
        public boolean streams() {
            return this == TRUNCATED || this == DRIP;
        }

        boolean stalls() {
            return this == STALL || this == ABANDON;
        }

        public static Fault of(String token) {
            for (Fault fault : values()) {
                if (fault.token.equals(token.toLowerCase(Locale.ROOT))) {
                    return fault;
                }
            }
            throw new IllegalArgumentException("unknown fault '" + token + "'; known: "
                    + Arrays.stream(values()).map(Fault::token).toList());
        }
    }

    private static final int MAX_HEAD = 64 * 1024;
    /** Marked arrivals kept for {@code /stats/received}; beyond it they are counted but not listed. */
    private static final int MAX_RECEIVED = 4_000_000;
    private static final int MAX_REQUEST = 16 * 1024 * 1024;

    private static final String CHAT_JSON = """
            {"id":"chatcmpl-fake9f3c2a1b7e4d4c0a8b6e5f1d2c3b","object":"chat.completion","created":1700000000,\
            "model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":\
            "Hello! I am a fake upstream used to benchmark the Smartflow gateway. Every byte of this answer is \
            precomputed, so the upstream is never the bottleneck of the measurement. How can I help you today?",\
            "refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,\
            "completion_tokens":41,"total_tokens":50,"prompt_tokens_details":{"cached_tokens":0},\
            "completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_fake0001"}""";
    private static final String EMBEDDINGS_JSON = """
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,\
            0.015797347,-0.0077780345,-0.0046922187,0.014438308,-0.011113918,0.0031246736]}],\
            "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}""";
    private static final String MODELS_JSON = """
            {"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"},\
            {"id":"text-embedding-3-small","object":"model","created":1705948997,"owned_by":"system"}]}""";
    private static final String CHUNK_JSON = """
            {"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini",\
            "choices":[{"index":0,"delta":{"content":"tok"},"finish_reason":null}]}""";
    private static final String STOP_CHUNK_JSON = """
            {"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini",\
            "choices":[{"index":0,"delta":{},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":9,"completion_tokens":%d,"total_tokens":%d}}""";

    private static final Canned CHAT = Canned.of("200 OK", "application/json", CHAT_JSON);
    private static final Canned EMBEDDINGS = Canned.of("200 OK", "application/json", EMBEDDINGS_JSON);
    private static final Canned MODELS = Canned.of("200 OK", "application/json", MODELS_JSON);
    private static final Canned SERVER_ERROR = Canned.of("500 Internal Server Error", "application/json", """
            {"error":{"message":"The fake upstream failed on purpose.","type":"server_error","param":null,\
            "code":null}}""");
    private static final Canned RATE_LIMITED = Canned.of("429 Too Many Requests", "application/json", """
            {"error":{"message":"Rate limit reached (fake).","type":"requests","param":null,\
            "code":"rate_limit_exceeded"}}""", "Retry-After: 1\r\n");
    private static final Canned GARBAGE = Canned.of("200 OK", "application/json",
            "{\"id\":\"chatcmpl-garbage\",\"object\":\"chat.completion\",\"choices\":[{\"message\":{\"content\":<html>");
    private static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");

    private final long chunkDelayNanos;
    private final long answerDelayNanos;
    private final byte[][] streamFrames;
    private final byte[][] streamFramesClose;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private final byte[] truncatedStream;
    // Delays differ (chunk delay, drip), so the due order is not the arrival order.
    private final PriorityQueue<Conn> delayedStreams = new PriorityQueue<>(Comparator.comparingLong(c -> c.streamDue));
    private final AtomicLong accepted = new AtomicLong();
    // Written and read on the selector thread only (the stats routes are served there too).
    private long chatRequests;
    private final long[] faultCounts = new long[Fault.values().length];
    private long[] receivedSeq = new long[1024];
    private long[] receivedAtMs = new long[1024];
    private int receivedCount;
    private long receivedDropped;
    // per fault, how long each stalled connection stayed open before the peer closed it
    private final long[][] heldMs = new long[Fault.values().length][];
    private final int[] heldCount = new int[Fault.values().length];
    private volatile boolean running = true;

    private FakeUpstream(int port, Options options) throws IOException {
        this.chunkDelayNanos = TimeUnit.MILLISECONDS.toNanos(options.chunkDelayMs());
        this.answerDelayNanos = TimeUnit.MILLISECONDS.toNanos(options.answerDelayMs());
        this.streamFrames = streamFrames(options.chunks(), false);
        this.streamFramesClose = streamFrames(options.chunks(), true);
        byte[][] three = streamFrames(3, false);
        this.truncatedStream = concat(three[0], three[1]);
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this::loop, "fake-upstream-" + port());
    }

    public static FakeUpstream start(int port, Options options) throws IOException {
        FakeUpstream upstream = new FakeUpstream(port, options);
        upstream.thread.start();
        return upstream;
    }

    public int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connections accepted so far; lets tests prove keep-alive reuse. */
    public long connectionsAccepted() {
        return accepted.get();
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            while (running) {
                long waitMs = millisUntilNextChunk();
                if (waitMs < 0) {
                    selector.select(this::handle);
                } else if (waitMs == 0) {
                    selector.selectNow(this::handle);
                } else {
                    selector.select(this::handle, waitMs);
                }
                sendDueChunks();
            }
        } catch (IOException e) {
            if (running) {
                throw new UncheckedIOException(e);
            }
        } finally {
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key);
            }
            try {
                selector.close();
                server.close();
            } catch (IOException ignored) {
                // shutting down anyway
            }
        }
    }

    private void handle(SelectionKey key) {
        try {
            if (key.isAcceptable()) {
                acceptAll();
                return;
            }
            Conn conn = (Conn) key.attachment();
            if (key.isWritable()) {
                conn.flush();
            }
            if (key.isValid() && key.isReadable()) {
                conn.read();
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(key);
        }
    }

    private void acceptAll() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
            key.attach(new Conn(ch, key));
            accepted.incrementAndGet();
        }
    }

    private long millisUntilNextChunk() {
        Conn next = delayedStreams.peek();
        if (next == null) {
            return -1;
        }
        long nanos = next.streamDue - System.nanoTime();
        return nanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    private void sendDueChunks() {
        long now = System.nanoTime();
        while (!delayedStreams.isEmpty() && delayedStreams.peek().streamDue <= now) {
            Conn conn = delayedStreams.poll();
            if (!conn.key.isValid()) {
                continue;
            }
            try {
                conn.sendNextChunk(now);
                if (conn.frames == null) {
                    conn.serveBuffered();
                }
            } catch (IOException | RuntimeException e) {
                closeQuietly(conn.key);
            }
        }
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // the peer is gone either way
        }
    }

    private final class Conn {
        private final SocketChannel ch;
        private final SelectionKey key;
        private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        private byte[] in = new byte[8192];
        private ByteBuffer inBuf = ByteBuffer.wrap(in);
        private int inLen;
        private boolean closeAfterWrite;
        private boolean continueSent;
        private Fault stalled;
        private long stalledAtNanos;
        private byte[][] frames;
        private int nextFrame;
        private long streamDue;
        private long frameDelayNanos;
        /** Whether the connection closes once the last of {@link #frames} is written. */
        private boolean closeWhenSent;

        Conn(SocketChannel ch, SelectionKey key) {
            this.ch = ch;
            this.key = key;
        }

        void read() throws IOException {
            if (stalled != null) {
                discardUntilClosed();
                return;
            }
            if (inLen == in.length) {
                if (in.length >= MAX_REQUEST) {
                    fail("413 Content Too Large", "request too large");
                    return;
                }
                in = Arrays.copyOf(in, in.length * 2);
                inBuf = ByteBuffer.wrap(in);
            }
            inBuf.limit(in.length).position(inLen);
            int n = ch.read(inBuf);
            if (n < 0) {
                closeQuietly(key);
                return;
            }
            inLen += n;
            serveBuffered();
        }

        /** A stalled request never gets an answer; what else arrives is dropped until the peer gives up. */
        private void discardUntilClosed() throws IOException {
            inBuf.clear();
            int n;
            try {
                n = ch.read(inBuf);
            } catch (IOException e) {
                n = -1; // a reset ends the stall as a close does
            }
            if (n < 0) {
                recordHeld(stalled, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stalledAtNanos));
                closeQuietly(key);
            }
        }

        private void serveBuffered() throws IOException {
            while (frames == null && !closeAfterWrite && stalled == null && key.isValid()) {
                int consumed;
                try {
                    consumed = serveOne();
                } catch (BadRequest e) {
                    fail("400 Bad Request", e.getMessage());
                    return;
                }
                if (consumed == 0) {
                    return;
                }
                inLen -= consumed;
                System.arraycopy(in, consumed, in, 0, inLen);
            }
        }

        /** Serves the first buffered request if it is complete; returns its length in bytes, or 0. */
        private int serveOne() throws IOException {
            int headEnd = indexOf(in, 0, inLen, "\r\n\r\n");
            if (headEnd < 0) {
                if (inLen > MAX_HEAD) {
                    throw new BadRequest("request head too large");
                }
                return 0;
            }
            int lineEnd = indexOf(in, 0, headEnd + 2, "\r\n");
            int sp1 = indexOf(in, 0, lineEnd, " ");
            int sp2 = sp1 < 0 ? -1 : indexOf(in, sp1 + 1, lineEnd, " ");
            if (sp2 < 0) {
                throw new BadRequest("malformed request line");
            }
            int pathEnd = indexOf(in, sp1 + 1, sp2, "?");
            pathEnd = pathEnd < 0 ? sp2 : pathEnd;
            boolean close = regionEquals(in, sp2 + 1, lineEnd, "HTTP/1.0");
            long contentLength = 0;
            boolean chunked = false;
            boolean expectContinue = false;
            for (int line = lineEnd + 2; line < headEnd; ) {
                int end = indexOf(in, line, headEnd + 2, "\r\n");
                int colon = indexOf(in, line, end, ":");
                if (colon < 0) {
                    throw new BadRequest("malformed header line");
                }
                int v = colon + 1;
                while (v < end && (in[v] == ' ' || in[v] == '\t')) {
                    v++;
                }
                if (regionEquals(in, line, colon, "content-length")) {
                    contentLength = parseLong(in, v, end);
                } else if (regionEquals(in, line, colon, "transfer-encoding")) {
                    chunked = indexOfIgnoreCase(in, v, end, "chunked") >= 0;
                } else if (regionEquals(in, line, colon, "connection")) {
                    if (indexOfIgnoreCase(in, v, end, "close") >= 0) {
                        close = true;
                    } else if (indexOfIgnoreCase(in, v, end, "keep-alive") >= 0) {
                        close = false;
                    }
                } else if (regionEquals(in, line, colon, "expect")) {
                    expectContinue = indexOfIgnoreCase(in, v, end, "100-continue") >= 0;
                }
                line = end + 2;
            }
            int bodyStart = headEnd + 4;
            Body body = chunked ? decodeChunked(in, bodyStart, inLen) : fixedBody(bodyStart, contentLength);
            if (body == null) {
                if (expectContinue && !continueSent) {
                    continueSent = true;
                    write(CONTINUE);
                }
                return 0;
            }
            continueSent = false;
            route(sp1, pathEnd, body, close);
            return body.end();
        }

        private Body fixedBody(int start, long length) {
            if (length < 0 || length > MAX_REQUEST) {
                throw new BadRequest("bad content-length");
            }
            return inLen - start < length ? null : new Body(in, start, (int) length, start + (int) length);
        }

        private void route(int methodEnd, int pathEnd, Body body, boolean close) throws IOException {
            int pathStart = methodEnd + 1;
            if (regionEquals(in, 0, methodEnd, "POST")
                    && regionEquals(in, pathStart, pathEnd, "/v1/chat/completions")) {
                chat(body, close);
            } else if (regionEquals(in, 0, methodEnd, "POST")
                    && regionEquals(in, pathStart, pathEnd, "/v1/embeddings")) {
                send(EMBEDDINGS, close);
            } else if (regionEquals(in, 0, methodEnd, "GET") && regionEquals(in, pathStart, pathEnd, "/v1/models")) {
                send(MODELS, close);
            } else if (regionEquals(in, 0, methodEnd, "GET") && regionEquals(in, pathStart, pathEnd, "/stats")) {
                send(Canned.of("200 OK", "application/json", statsJson()), close);
            } else if (regionEquals(in, 0, methodEnd, "GET")
                    && regionEquals(in, pathStart, pathEnd, "/stats/received")) {
                send(Canned.of("200 OK", "text/plain", receivedText()), close);
            } else {
                String route = new String(in, 0, pathEnd, StandardCharsets.ISO_8859_1);
                send(Canned.of("404 Not Found", "application/json",
                        errorJson("Unknown request URL: " + route, "not_found")), close);
            }
        }

        private void chat(Body body, boolean close) throws IOException {
            chatRequests++;
            long seq = drillSeq(body);
            if (seq >= 0) {
                recordArrival(seq, System.currentTimeMillis());
            }
            Fault fault = fault(body);
            faultCounts[fault.ordinal()]++;
            switch (fault) {
                case OK -> {
                    if (requestsStream(body)) {
                        startStream(close, chunkDelayNanos);
                    } else if (answerDelayNanos > 0) {
                        sendLater(CHAT, close);
                    } else {
                        send(CHAT, close);
                    }
                }
                case SERVER_ERROR -> send(SERVER_ERROR, close);
                case RATE_LIMITED -> send(RATE_LIMITED, close);
                case GARBAGE -> send(GARBAGE, close);
                case RESET -> {
                    byte[] whole = CHAT.keepAlive();
                    write(Arrays.copyOf(whole, whole.length - CHAT_JSON.length() / 2));
                    // SO_LINGER 0: close() sends RST instead of FIN
                    ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                    closeQuietly(key);
                }
                case STALL, ABANDON -> {
                    stalled = fault;
                    stalledAtNanos = System.nanoTime();
                }
                case TRUNCATED -> {
                    closeAfterWrite = true;
                    write(truncatedStream);
                }
                case DRIP -> startStream(close, TimeUnit.MILLISECONDS.toNanos(Fault.DRIP_DELAY_MS));
            }
        }

        private void send(Canned response, boolean close) throws IOException {
            closeAfterWrite = close;
            write(close ? response.close() : response.keepAlive());
        }

        private void fail(String status, String message) throws IOException {
            inLen = 0;
            send(Canned.of(status, "application/json", errorJson(message, null)), true);
        }

        /**
         * The answer after {@code answerDelayNanos}, through the delayed-stream queue as two frames: nothing now, the
         * whole answer when due. Requests pipelined behind it wait, as they wait for a stream.
         */
        private void sendLater(Canned response, boolean close) throws IOException {
            frames = new byte[][] {new byte[0], close ? response.close() : response.keepAlive()};
            closeWhenSent = close;
            nextFrame = 0;
            frameDelayNanos = answerDelayNanos;
            sendNextChunk(System.nanoTime());
        }

        private void startStream(boolean close, long delayNanos) throws IOException {
            frames = close ? streamFramesClose : streamFrames;
            closeWhenSent = close;
            nextFrame = 0;
            frameDelayNanos = delayNanos;
            if (delayNanos == 0) {
                while (frames != null) {
                    sendNextChunk(0);
                }
            } else {
                sendNextChunk(System.nanoTime());
            }
        }

        void sendNextChunk(long now) throws IOException {
            write(frames[nextFrame++]);
            if (nextFrame < frames.length) {
                if (frameDelayNanos > 0) {
                    streamDue = now + frameDelayNanos;
                    delayedStreams.add(this);
                }
                return;
            }
            closeAfterWrite = closeWhenSent;
            frames = null;
            if (closeAfterWrite) {
                flush();
            }
        }

        private void write(byte[] bytes) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            if (out.isEmpty()) {
                ch.write(buf);
                if (!buf.hasRemaining()) {
                    if (closeAfterWrite && frames == null) {
                        closeQuietly(key);
                    }
                    return;
                }
                key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            }
            out.add(buf);
        }

        void flush() throws IOException {
            while (!out.isEmpty()) {
                ByteBuffer head = out.peek();
                ch.write(head);
                if (head.hasRemaining()) {
                    key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
                    return;
                }
                out.poll();
            }
            if (closeAfterWrite && frames == null) {
                closeQuietly(key);
                return;
            }
            if (key.isValid()) {
                key.interestOps(SelectionKey.OP_READ);
            }
        }
    }

    private void recordArrival(long seq, long atMs) {
        if (receivedCount == MAX_RECEIVED) {
            receivedDropped++;
            return;
        }
        if (receivedCount == receivedSeq.length) {
            receivedSeq = Arrays.copyOf(receivedSeq, receivedCount * 2);
            receivedAtMs = Arrays.copyOf(receivedAtMs, receivedCount * 2);
        }
        receivedSeq[receivedCount] = seq;
        receivedAtMs[receivedCount] = atMs;
        receivedCount++;
    }

    private void recordHeld(Fault fault, long ms) {
        int f = fault.ordinal();
        if (heldMs[f] == null) {
            heldMs[f] = new long[256];
        } else if (heldCount[f] == heldMs[f].length) {
            if (heldCount[f] == MAX_RECEIVED) {
                return;
            }
            heldMs[f] = Arrays.copyOf(heldMs[f], heldCount[f] * 2);
        }
        heldMs[f][heldCount[f]++] = ms;
    }

    private String statsJson() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"chat_requests\":").append(chatRequests)
                .append(",\"connections_accepted\":").append(accepted.get())
                // every registered key but the server's is a client connection
                .append(",\"open_connections\":").append(selector.keys().size() - 1)
                .append(",\"received_marked\":").append(receivedCount + receivedDropped)
                .append(",\"faults\":{");
        for (Fault fault : Fault.values()) {
            sb.append(fault.ordinal() == 0 ? "" : ",").append('"').append(fault.token()).append("\":")
                    .append(faultCounts[fault.ordinal()]);
        }
        // for stalled calls: how many connections the gateway has closed, and after how long (ms, nearest rank)
        sb.append("},\"held\":{");
        boolean first = true;
        for (Fault fault : Fault.values()) {
            if (!fault.stalls()) {
                continue;
            }
            int n = heldCount[fault.ordinal()];
            long[] sorted = n == 0 ? new long[0] : Arrays.copyOf(heldMs[fault.ordinal()], n);
            Arrays.sort(sorted);
            sb.append(first ? "" : ",").append('"').append(fault.token()).append("\":{\"closed\":").append(n)
                    .append(",\"p50_ms\":").append(n == 0 ? -1 : sorted[(n - 1) / 2])
                    .append(",\"max_ms\":").append(n == 0 ? -1 : sorted[n - 1]).append('}');
            first = false;
        }
        return sb.append("}}").toString();
    }

    /** One line per marked chat request: its {@code drill-seq} and the epoch millisecond it arrived. */
    private String receivedText() {
        StringBuilder sb = new StringBuilder(receivedCount * 24);
        for (int i = 0; i < receivedCount; i++) {
            sb.append(receivedSeq[i]).append(' ').append(receivedAtMs[i]).append('\n');
        }
        return sb.toString();
    }

    private record Body(byte[] bytes, int start, int length, int end) {}

    private record Canned(byte[] keepAlive, byte[] close) {
        static Canned of(String status, String contentType, String body) {
            return of(status, contentType, body, "");
        }

        /** {@code extraHeaders}: complete header lines, each ending in CRLF. */
        static Canned of(String status, String contentType, String body, String extraHeaders) {
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 " + status + "\r\nContent-Type: " + contentType
                    + "\r\nContent-Length: " + payload.length + "\r\n" + extraHeaders;
            return new Canned(concat(ascii(head + "\r\n"), payload),
                    concat(ascii(head + "Connection: close\r\n\r\n"), payload));
        }
    }

    /** Thrown for a request the server cannot parse; answered with 400 and a close. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    private static byte[][] streamFrames(int chunks, boolean close) {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + (close ? "Connection: close\r\n" : "") + "Transfer-Encoding: chunked\r\n\r\n";
        byte[] token = chunkFrame("data: " + CHUNK_JSON + "\n\n");
        byte[] last = concat(
                chunkFrame("data: " + STOP_CHUNK_JSON.formatted(chunks - 1, chunks + 8) + "\n\n"),
                chunkFrame("data: [DONE]\n\n"),
                ascii("0\r\n\r\n"));
        byte[][] frames = new byte[chunks][];
        for (int i = 0; i < chunks; i++) {
            frames[i] = i == chunks - 1 ? last : token;
        }
        frames[0] = concat(ascii(head), frames[0]);
        return frames;
    }

    private static byte[] chunkFrame(String data) {
        byte[] payload = data.getBytes(StandardCharsets.UTF_8);
        return concat(ascii(Integer.toHexString(payload.length) + "\r\n"), payload, ascii("\r\n"));
    }

    /** Decodes a chunked body starting at {@code start}; null while it is incomplete. */
    static Body decodeChunked(byte[] buf, int start, int limit) {
        byte[] body = new byte[0];
        int pos = start;
        while (true) {
            int lineEnd = indexOf(buf, pos, limit, "\r\n");
            if (lineEnd < 0) {
                return null;
            }
            int sizeEnd = indexOf(buf, pos, lineEnd, ";");
            long size = parseHex(buf, pos, sizeEnd < 0 ? lineEnd : sizeEnd);
            pos = lineEnd + 2;
            if (size == 0) {
                while (true) {
                    int trailerEnd = indexOf(buf, pos, limit, "\r\n");
                    if (trailerEnd < 0) {
                        return null;
                    }
                    boolean emptyLine = trailerEnd == pos;
                    pos = trailerEnd + 2;
                    if (emptyLine) {
                        return new Body(body, 0, body.length, pos);
                    }
                }
            }
            if (size > MAX_REQUEST || body.length + size > MAX_REQUEST) {
                throw new BadRequest("chunked body too large");
            }
            if (limit - pos < size + 2) {
                return null;
            }
            int n = (int) size;
            int old = body.length;
            body = Arrays.copyOf(body, old + n);
            System.arraycopy(buf, pos, body, old, n);
            pos += n + 2;
        }
    }

    static boolean requestsStream(Body body) {
        byte[] b = body.bytes();
        int end = body.start() + body.length();
        int from = body.start();
        while (true) {
            int at = indexOf(b, from, end, "\"stream\"");
            if (at < 0) {
                return false;
            }
            int i = skipWhitespace(b, at + 8, end);
            if (i < end && b[i] == ':') {
                i = skipWhitespace(b, i + 1, end);
                if (regionEquals(b, i, Math.min(end, i + 4), "true")) {
                    return true;
                }
            }
            from = at + 8;
        }
    }

    /** The number after {@code drill-seq:} in the body, or -1. */
    static long drillSeq(Body body) {
        byte[] b = body.bytes();
        int end = body.start() + body.length();
        int at = indexOf(b, body.start(), end, "drill-seq:");
        if (at < 0) {
            return -1;
        }
        int from = at + "drill-seq:".length();
        int i = from;
        while (i < end && i - from < 18 && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i == from ? -1 : parseLong(b, from, i);
    }

    /** The fault a {@code fault:<token>} marker in the body asks for; {@link Fault#OK} without one or if unknown. */
    static Fault fault(Body body) {
        byte[] b = body.bytes();
        int end = body.start() + body.length();
        int at = indexOf(b, body.start(), end, "fault:");
        if (at < 0) {
            return Fault.OK;
        }
        int from = at + "fault:".length();
        int i = from;
        while (i < end && i - from < 16 && Character.isLetterOrDigit(b[i])) {
            i++;
        }
        try {
            return Fault.of(new String(b, from, i - from, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return Fault.OK;
        }
    }

    private static int skipWhitespace(byte[] b, int i, int end) {
        while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] b, int from, int to, String needle) {
        int n = needle.length();
        char first = needle.charAt(0);
        outer:
        for (int i = from; i <= to - n; i++) {
            if (b[i] != first) {
                continue;
            }
            for (int j = 1; j < n; j++) {
                if (b[i + j] != needle.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int indexOfIgnoreCase(byte[] b, int from, int to, String needle) {
        for (int i = from; i <= to - needle.length(); i++) {
            if (regionEquals(b, i, i + needle.length(), needle)) {
                return i;
            }
        }
        return -1;
    }

    /** ASCII case-insensitive comparison of {@code b[from, to)} with a lower-case {@code s}. */
    private static boolean regionEquals(byte[] b, int from, int to, String s) {
        if (to - from != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            int c = b[from + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            int e = s.charAt(i);
            if (e >= 'A' && e <= 'Z') {
                e += 'a' - 'A';
            }
            if (c != e) {
                return false;
            }
        }
        return true;
    }

    private static long parseLong(byte[] b, int from, int to) {
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
            to--;
        }
        if (from == to || to - from > 18) {
            throw new BadRequest("bad number");
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                throw new BadRequest("bad number");
            }
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }

    private static long parseHex(byte[] b, int from, int to) {
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
            to--;
        }
        if (from == to || to - from > 15) {
            throw new BadRequest("bad chunk size");
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(b[i], 16);
            if (d < 0) {
                throw new BadRequest("bad chunk size");
            }
            v = v * 16 + d;
        }
        return v;
    }

    private static String errorJson(String message, String code) {
        return "{\"error\":{\"message\":\"" + jsonEscape(message) + "\",\"type\":\"invalid_request_error\",\"code\":"
                + (code == null ? "null" : "\"" + code + "\"") + "}}";
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append("\\u%04x".formatted((int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        int chunks = 8;
        long delayMs = 0;
        long answerDelayMs = 0;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value);
                case "--chunks" -> chunks = Integer.parseInt(value);
                case "--chunk-delay-ms" -> delayMs = Long.parseLong(value);
                case "--answer-delay-ms" -> answerDelayMs = Long.parseLong(value);
                default -> {
                    System.err.println("usage: FakeUpstream [--port N] [--chunks N] [--chunk-delay-ms D] "
                            + "[--answer-delay-ms D]");
                    System.exit(2);
                }
            }
            i++;
        }
        FakeUpstream upstream = start(port, new Options(chunks, delayMs, answerDelayMs));
        Runtime.getRuntime().addShutdownHook(new Thread(upstream::close));
        System.out.println("listening on " + upstream.port());
        System.out.flush();
        upstream.thread.join();
    }
}
