package dev.smartflow.providers.bedrock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.junit.jupiter.api.Test;

/** The event-stream framing against messages the AWS SDK's codec encoded, fed as they would arrive off a socket. */
final class EventStreamDecoderTest {
    private static final String DELTA = "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"},\"p\":\"abcdefgh\"}";

    /** Hands out at most {@code step} bytes per read, so every message is split across many reads. */
    private static BufferedSource trickle(byte[] bytes, int step) {
        Buffer all = new Buffer().write(bytes);
        return Okio.buffer(new Source() {
            @Override
            public long read(Buffer sink, long byteCount) {
                if (all.size() == 0) {
                    return -1;
                }
                long n = Math.min(Math.min(byteCount, step), all.size());
                sink.write(all, n);
                return n;
            }

            @Override
            public Timeout timeout() {
                return Timeout.NONE;
            }

            @Override
            public void close() {
            }
        });
    }

    @Test
    void messagesSplitAcrossReadsAreReassembledWithTheirHeaders() throws IOException {
        byte[] first = Frames.event("contentBlockDelta", DELTA);
        byte[] second = Frames.event("messageStop", "{\"stopReason\":\"end_turn\"}");
        EventStreamDecoder decoder = new EventStreamDecoder(trickle(Frames.body(first, second).readByteArray(), 3));

        EventStreamDecoder.Message one = decoder.next();
        EventStreamDecoder.Message two = decoder.next();

        assertEquals("event", one.header(":message-type"));
        assertEquals("contentBlockDelta", one.header(":event-type"));
        assertArrayEquals(DELTA.getBytes(StandardCharsets.UTF_8), one.payload());
        assertEquals("messageStop", two.header(":event-type"));
        assertNull(decoder.next(), "a clean end between messages");
    }

    @Test
    void aFlippedPayloadByteFailsTheMessageCrc() {
        byte[] frame = Frames.event("contentBlockDelta", DELTA);
        frame[frame.length - 10] ^= 0x01;
        EventStreamDecoder decoder = new EventStreamDecoder(trickle(frame, 7));

        IOException e = assertThrows(IOException.class, decoder::next);

        assertEquals("event stream message fails its CRC", e.getMessage());
    }

    @Test
    void aFlippedLengthFailsThePreludeCrc() {
        byte[] frame = Frames.event("contentBlockDelta", DELTA);
        frame[3] ^= 0x01;

        IOException e = assertThrows(IOException.class, () -> new EventStreamDecoder(trickle(frame, 64)).next());

        assertEquals("event stream message prelude fails its CRC", e.getMessage());
    }

    @Test
    void aBodyCutInsideAMessageIsAnErrorNotAnEnd() {
        byte[] frame = Frames.event("contentBlockDelta", DELTA);
        byte[] cut = Arrays.copyOf(frame, frame.length - 5);

        IOException e = assertThrows(IOException.class, () -> new EventStreamDecoder(trickle(cut, 5)).next());

        assertTrue(e.getMessage().contains("ended inside a message"), e.getMessage());
    }

    @Test
    void impossibleLengthsAreRefusedBeforeAnythingIsBuffered() {
        // a prelude claiming 4 GiB, with a valid CRC of its own
        Buffer prelude = new Buffer().writeInt(0xFFFFFFF0).writeInt(0);
        CRC32 crc = new CRC32();
        crc.update(prelude.snapshot().toByteArray());
        prelude.writeInt((int) crc.getValue());

        IOException e = assertThrows(IOException.class,
                () -> new EventStreamDecoder(trickle(prelude.readByteArray(), 64)).next());

        assertEquals("event stream message has impossible lengths", e.getMessage());
    }
}
