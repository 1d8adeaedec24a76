package dev.smartflow.providers.sse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import okio.BufferedSource;
import okio.ByteString;

/**
 * Frames server-sent events (the WHATWG {@code text/event-stream} format) from a byte source: {@code data:} lines,
 * joined with {@code \n} when an event has several, {@code event:} names, {@code :} comments, and lines ended by
 * LF, CRLF or a lone CR. {@code id:}, {@code retry:} and unknown fields are skipped. An event cut off by the end of the
 * source is dropped, as the format requires.
 *
 * <p>The data bytes are copied out of Okio's buffer once and never decoded to a {@code String}: a chunk stays bytes on
 * its way from the upstream socket to the caller's.
 *
 * <p>Public only so that every protocol package of this module can frame its streams with it; not an API. Not
 * thread-safe: one reader.
 */
public final class SseDecoder {
    private static final ByteString LINE_ENDS = ByteString.encodeUtf8("\r\n");
    private static final ByteString DATA = ByteString.encodeUtf8("data:");
    private static final ByteString EVENT = ByteString.encodeUtf8("event:");

    private final BufferedSource source;
    /** The last line ended with CR: a LF starting the next read belongs to that line end. */
    private boolean skipLineFeed;

    public SseDecoder(BufferedSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** One dispatched event: its name ({@code ""} for the default type) and its data, owned by the receiver. */
    public record Event(String event, byte[] data) {
    }

    /**
     * Blocks until the next event is complete.
     *
     * @return the event, or {@code null} at the end of the source
     */
    public Event next() throws IOException {
        byte[] data = null;
        String event = "";
        while (true) {
            if (skipLineFeed) {
                // Deferred rather than peeked at the CR: peeking would block a stream that ends lines with a lone CR.
                skipLineFeed = false;
                if (source.request(1) && source.getBuffer().getByte(0) == '\n') {
                    source.skip(1);
                }
            }
            long end = source.indexOfElement(LINE_ENDS);
            if (end == -1) {
                return null;
            }
            if (end == 0) {
                endOfLine();
                if (data != null) {
                    return new Event(event, data);
                }
                event = "";
                continue;
            }
            byte first = source.getBuffer().getByte(0);
            if (first == 'd' && end >= DATA.size() && source.rangeEquals(0, DATA)) {
                byte[] line = value(end, DATA.size());
                data = data == null ? line : join(data, line);
            } else if (first == 'e' && end >= EVENT.size() && source.rangeEquals(0, EVENT)) {
                event = new String(value(end, EVENT.size()), StandardCharsets.UTF_8);
            } else {
                source.skip(end);
            }
            endOfLine();
        }
    }

    /** The value of a field whose line ends at {@code end}: after the name and colon, one optional space dropped. */
    private byte[] value(long end, int nameAndColon) throws IOException {
        source.skip(nameAndColon);
        long length = end - nameAndColon;
        if (length > 0 && source.getBuffer().getByte(0) == ' ') {
            source.skip(1);
            length--;
        }
        return source.readByteArray(length);
    }

    private void endOfLine() throws IOException {
        if (source.readByte() == '\r') {
            skipLineFeed = true;
        }
    }

    private static byte[] join(byte[] first, byte[] second) {
        byte[] joined = Arrays.copyOf(first, first.length + 1 + second.length);
        joined[first.length] = '\n';
        System.arraycopy(second, 0, joined, first.length + 1, second.length);
        return joined;
    }
}
