package dev.smartflow.providers.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/** Server-sent-event framing, on bytes in memory. */
final class SseDecoderTest {
    @Test
    void eventsAreSeparatedByBlankLines() throws IOException {
        assertEquals(List.of(":{\"a\":1}", ":{\"b\":2}"), decode("data: {\"a\":1}\n\ndata: {\"b\":2}\n\n"));
    }

    @Test
    void severalDataLinesAreJoinedWithLineFeeds() throws IOException {
        assertEquals(List.of(":{\"a\":\n1}"), decode("data: {\"a\":\ndata: 1}\n\n"));
    }

    @Test
    void crlfAndLoneCrEndLinesLikeLf() throws IOException {
        assertEquals(List.of(":one", ":two", ":three"), decode("data: one\r\n\r\ndata: two\r\rdata: three\n\r\n"));
    }

    @Test
    void eventNameBelongsToItsEventOnly() throws IOException {
        assertEquals(List.of("delta:x", ":y"), decode("event: delta\ndata: x\n\ndata: y\n\n"));
    }

    @Test
    void commentsIdsRetriesAndUnknownFieldsAreSkipped() throws IOException {
        assertEquals(List.of(":x"), decode(": keep-alive\n\nid: 4\nretry: 10\nfoo: bar\ndata: x\n\n"));
    }

    @Test
    void onlyOneSpaceAfterTheColonIsDropped() throws IOException {
        assertEquals(List.of(":x", ": y", ":"), decode("data:x\n\ndata:  y\n\ndata:\n\n"));
    }

    @Test
    void eventWithoutDataIsNotDispatched() throws IOException {
        assertEquals(List.of(":x"), decode("event: ping\n\ndata: x\n\n"));
    }

    @Test
    void eventCutOffByTheEndIsDropped() throws IOException {
        assertEquals(List.of(":x"), decode("data: x\n\ndata: {\"partial\":"));
    }

    @Test
    void dataStaysBytesEvenWhenItIsNotUtf8Text() throws IOException {
        Buffer source = new Buffer().writeUtf8("data: ").write(new byte[] {(byte) 0xC3, (byte) 0xA9}).writeUtf8("\n\n");

        SseDecoder.Event event = new SseDecoder(source).next();

        assertEquals(2, event.data().length);
        assertEquals("é", new String(event.data(), StandardCharsets.UTF_8));
    }

    @Test
    void emptySourceHasNoEvents() throws IOException {
        assertNull(new SseDecoder(new Buffer()).next());
    }

    /** Each event as {@code name:data}. */
    private static List<String> decode(String transcript) throws IOException {
        SseDecoder decoder = new SseDecoder(new Buffer().writeUtf8(transcript));
        List<String> out = new ArrayList<>();
        for (SseDecoder.Event event = decoder.next(); event != null; event = decoder.next()) {
            out.add(event.event() + ":" + new String(event.data(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
