package dev.smartflow.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures time to first SSE {@code data:} line and to end of stream of streamed chat completions, one request
 * at a time over one keep-alive connection.
 *
 * <p>Raw socket HTTP/1.1 rather than java.net.http: the timestamps are taken right after the socket read that
 * delivered the bytes, with no client-side buffering or executor hand-off in between.
 */
public final class StreamProbe implements AutoCloseable {

    private static final String BODY =
            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
    private static final int TIMEOUT_MS = 30_000;
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

    private final String host;
    private final int port;
    private final byte[] request;
    private final byte[] buf = new byte[64 * 1024];
    private Socket socket;
    private InputStream in;
    private int pos;
    private int lim;
    private long lastReadNanos;
    private int dataMatch;
    private long firstDataNanos;

    public record Sample(long firstChunkNanos, long endNanos) {}

    public StreamProbe(URI endpoint, String key) {
        if (!"http".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("only http:// URLs are supported: " + endpoint);
        }
        this.host = endpoint.getHost();
        this.port = endpoint.getPort() < 0 ? 80 : endpoint.getPort();
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + endpoint.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Authorization: Bearer " + key + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: text/event-stream\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        this.request = Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
    }

    /** Accepts a base URL ({@code http://h:p}, {@code http://h:p/v1}) or the full chat completions URL. */
    static URI endpoint(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (u.endsWith("/chat/completions")) {
            return URI.create(u);
        }
        return URI.create(u.endsWith("/v1") ? u + "/chat/completions" : u + "/v1/chat/completions");
    }

    /** Sends one streaming request and reads the whole response. */
    public Sample once() throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MS);
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            in = socket.getInputStream();
            pos = 0;
            lim = 0;
        }
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        long start = System.nanoTime();
        dataMatch = 0;
        firstDataNanos = 0;

        String status = readLine();
        int code = status.length() >= 12 ? Integer.parseInt(status.substring(9, 12)) : -1;
        long contentLength = -1;
        boolean chunked = false;
        boolean close = status.startsWith("HTTP/1.0");
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            String name = colon < 0 ? line : line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = colon < 0 ? "" : line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.contains("close");
                default -> { }
            }
        }
        if (code != 200) {
            String body = contentLength > 0 ? new String(readBytes((int) Math.min(contentLength, 4096)),
                    StandardCharsets.UTF_8) : "";
            disconnect();
            throw new IOException("unexpected response: " + status + " " + body);
        }
        if (chunked) {
            for (long size = chunkSize(); size > 0; size = chunkSize()) {
                scan(size);
                readLine();
            }
            while (!readLine().isEmpty()) {
                // trailers
            }
        } else if (contentLength >= 0) {
            scan(contentLength);
        } else {
            scan(Long.MAX_VALUE);
            close = true;
        }
        long end = lastReadNanos;
        if (close) {
            disconnect();
        }
        if (firstDataNanos == 0) {
            throw new IOException("stream had no 'data:' line");
        }
        return new Sample(firstDataNanos - start, end - start);
    }

    private long chunkSize() throws IOException {
        String line = readLine();
        int semi = line.indexOf(';');
        return Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
    }

    /** Consumes up to {@code n} body bytes (until EOF for Long.MAX_VALUE), noting when a line starting with data: arrived. */
    private void scan(long n) throws IOException {
        while (n > 0) {
            if (pos == lim && !fill()) {
                if (n == Long.MAX_VALUE) {
                    return;
                }
                throw new IOException("connection closed mid-body");
            }
            int take = (int) Math.min(n, lim - pos);
            for (int i = pos; i < pos + take; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    dataMatch = 0;
                } else if (dataMatch >= 0 && dataMatch < DATA.length) {
                    dataMatch = b == DATA[dataMatch] ? dataMatch + 1 : -1;
                    if (dataMatch == DATA.length && firstDataNanos == 0) {
                        firstDataNanos = lastReadNanos;
                    }
                }
            }
            pos += take;
            n -= take;
        }
    }

    private byte[] readBytes(int n) throws IOException {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            if (pos == lim && !fill()) {
                return Arrays.copyOf(out, i);
            }
            out[i] = buf[pos++];
        }
        return out;
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            if (pos == lim && !fill()) {
                throw new IOException("connection closed");
            }
            byte b = buf[pos++];
            if (b == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            sb.append((char) (b & 0xff));
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        lastReadNanos = System.nanoTime();
        if (n <= 0) {
            return false;
        }
        pos = 0;
        lim = n;
        return true;
    }

    private void disconnect() throws IOException {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }

    @Override
    public void close() throws IOException {
        disconnect();
    }

    static double percentileMs(long[] sortedNanos, double q) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String key = "sk-none";
        double seconds = 20;
        double warmup = 5;
        boolean usage = args.length % 2 != 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--key" -> key = args[i + 1];
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
                default -> usage = true;
            }
        }
        if (url == null || usage) {
            System.err.println("usage: StreamProbe --url URL [--key KEY] [--seconds S] [--warmup S]");
            System.exit(2);
        }
        URI endpoint = endpoint(url);
        long[] first = new long[1024];
        long[] total = new long[1024];
        int n = 0;
        try (StreamProbe probe = new StreamProbe(endpoint, key)) {
            long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
            while (System.nanoTime() < warmEnd) {
                probe.once();
            }
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                Sample s = probe.once();
                if (n == first.length) {
                    first = Arrays.copyOf(first, n * 2);
                    total = Arrays.copyOf(total, n * 2);
                }
                first[n] = s.firstChunkNanos();
                total[n] = s.endNanos();
                n++;
            }
        } catch (IOException e) {
            System.err.println("stream probe failed against " + endpoint + ": " + e.getMessage());
            System.exit(1);
        }
        first = Arrays.copyOf(first, n);
        total = Arrays.copyOf(total, n);
        Arrays.sort(first);
        Arrays.sort(total);
        System.out.printf(Locale.ROOT, "url=%s requests=%d seconds=%.1f%n", endpoint, n, seconds);
        System.out.printf(Locale.ROOT, "first_chunk_ms p50=%.3f p90=%.3f p99=%.3f%n",
                percentileMs(first, 0.50), percentileMs(first, 0.90), percentileMs(first, 0.99));
        System.out.printf(Locale.ROOT, "stream_end_ms p50=%.3f p90=%.3f p99=%.3f%n",
                percentileMs(total, 0.50), percentileMs(total, 0.90), percentileMs(total, 0.99));
    }
}
