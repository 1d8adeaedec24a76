package dev.smartflow.providers.bedrock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import okio.BufferedSource;

/**
 * Frames AWS event-stream messages ({@code application/vnd.amazon.eventstream}, the binary framing of Bedrock's
 * {@code converse-stream}) from a byte source, one message at a time, as its bytes arrive: a message split across
 * reads is waited for, never guessed at.
 *
 * <p>A message is a 12-byte prelude (total length, headers length, both big-endian unsigned 32-bit, and the CRC-32 of
 * those 8 bytes), the headers, the payload, and the CRC-32 of everything before it. Both checksums are verified; a
 * mismatch, a length out of bounds or a malformed header is an {@link IOException}: the stream is corrupt and nothing
 * after it can be trusted. Headers of every type are parsed; string values are kept (the ones Bedrock sends are
 * {@code :message-type}, {@code :event-type}, {@code :exception-type}, {@code :content-type}), others are skipped.
 *
 * <p>Not thread-safe: one reader.
 */
final class EventStreamDecoder {
    /** Prelude (12) and message CRC (4). */
    static final int OVERHEAD = 16;
    /** AWS caps a message at 16 MiB of payload and 128 KiB of headers; anything longer is corrupt or hostile. */
    static final long MAX_MESSAGE = 16L * 1024 * 1024 + 128 * 1024 + OVERHEAD;
    private static final int PRELUDE = 12;

    private final BufferedSource source;

    EventStreamDecoder(BufferedSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** One message: its string headers and its payload. */
    record Message(Map<String, String> headers, byte[] payload) {
        String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    /**
     * Blocks until the next message is complete.
     *
     * @return the message, or {@code null} when the source ends cleanly between messages
     * @throws IOException if the source fails, ends inside a message, or the message is corrupt
     */
    Message next() throws IOException {
        if (!source.request(1)) {
            return null;
        }
        if (!source.request(PRELUDE)) {
            throw new IOException("event stream ended inside a message prelude");
        }
        byte[] prelude = source.peek().readByteArray(PRELUDE);
        long total = unsigned(prelude, 0);
        long headersLength = unsigned(prelude, 4);
        if (crc(prelude, 0, 8) != unsigned(prelude, 8)) {
            throw new IOException("event stream message prelude fails its CRC");
        }
        if (total < OVERHEAD || total > MAX_MESSAGE || headersLength > total - OVERHEAD) {
            throw new IOException("event stream message has impossible lengths");
        }
        if (!source.request(total)) {
            throw new IOException("event stream ended inside a message");
        }
        byte[] message = source.readByteArray(total);
        int end = (int) total - 4;
        if (crc(message, 0, end) != unsigned(message, end)) {
            throw new IOException("event stream message fails its CRC");
        }
        Map<String, String> headers = headers(message, PRELUDE, PRELUDE + (int) headersLength);
        int payloadStart = PRELUDE + (int) headersLength;
        byte[] payload = new byte[end - payloadStart];
        System.arraycopy(message, payloadStart, payload, 0, payload.length);
        return new Message(Map.copyOf(headers), payload);
    }

    private static Map<String, String> headers(byte[] bytes, int start, int end) throws IOException {
        Map<String, String> headers = new HashMap<>();
        int at = start;
        while (at < end) {
            int nameLength = bytes[at++] & 0xff;
            need(at + nameLength + 1, end);
            String name = new String(bytes, at, nameLength, StandardCharsets.UTF_8);
            at += nameLength;
            int type = bytes[at++];
            int valueLength = switch (type) {
                case 0, 1 -> 0;          // true, false
                case 2 -> 1;             // byte
                case 3 -> 2;             // short
                case 4 -> 4;             // int
                case 5, 8 -> 8;          // long, timestamp
                case 9 -> 16;            // uuid
                case 6, 7 -> {           // bytes, string: a 16-bit length first
                    need(at + 2, end);
                    int length = ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
                    at += 2;
                    yield length;
                }
                default -> throw new IOException("event stream header has unknown type " + type);
            };
            need(at + valueLength, end);
            if (type == 7) {
                headers.put(name, new String(bytes, at, valueLength, StandardCharsets.UTF_8));
            }
            at += valueLength;
        }
        return headers;
    }

    private static void need(int upTo, int end) throws IOException {
        if (upTo > end) {
            throw new IOException("event stream header runs past its section");
        }
    }

    private static long unsigned(byte[] bytes, int at) {
        return ((long) (bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }
}
