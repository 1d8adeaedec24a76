package dev.smartflow.core.exchange;

import static dev.smartflow.core.testing.Json.q;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BodyTest {
    private static final String REQUEST = q("{'model':'gpt-4o','x_vendor':{'nested':[1,2]},'messages':[]}");

    @Test
    void unknownFieldsSurviveByteForByte() {
        // given
        Body body = Body.json(REQUEST);

        // when
        body.json();

        // then
        assertEquals(REQUEST, body.utf8());
    }

    @Test
    void unknownFieldsSurviveAnEdit() {
        // given
        Body body = Body.json(REQUEST);

        // when
        Body edited = body.edit(o -> o.put("model", "gpt-4o-mini"));

        // then
        assertEquals("[1,2]", edited.json().path("x_vendor").path("nested").toString());
    }

    @Test
    void jsonIsParsedOnce() {
        // given
        Body body = Body.json(REQUEST);

        // when
        JsonNode first = body.json();
        JsonNode second = body.json();

        // then
        assertSame(first, second);
    }

    @Test
    void malformedJsonIsAnInvalidRequestWithStatus400() {
        // given
        Body body = Body.json("{\"model\": nope");

        // when
        InvalidRequest failure = assertThrows(InvalidRequest.class, body::json);

        // then
        assertEquals(400, failure.status());
        assertEquals(Optional.of("invalid_json"), failure.code());
    }

    @Test
    void malformedJsonMessageDoesNotRepeatTheOffendingText() {
        // given
        Body body = Body.json("{\"messages\": [my-secret-diagnosis-text]}");

        // when
        InvalidRequest failure = assertThrows(InvalidRequest.class, body::json);

        // then
        assertFalse(failure.getMessage().contains("secret"), failure.getMessage());
        assertFalse(failure.getMessage().contains("diagnosis"), failure.getMessage());
    }

    @Test
    void malformedJsonMessageSaysWhereParsingFailed() {
        // given
        Body body = Body.json("{\n\"a\": ?}");

        // when
        InvalidRequest failure = assertThrows(InvalidRequest.class, body::json);

        // then
        assertTrue(failure.getMessage().contains("line 2"), failure.getMessage());
    }

    @Test
    void editLeavesTheOriginalUntouched() {
        // given
        Body body = Body.json(REQUEST);
        JsonNode before = body.json().deepCopy();

        // when
        body.edit(o -> o.put("model", "changed").remove("x_vendor"));

        // then
        assertEquals(REQUEST, body.utf8());
        assertEquals(before, body.json());
    }

    @Test
    void editReturnsABodyWithTheChange() {
        // given
        Body body = Body.json(REQUEST);

        // when
        Body edited = body.edit(o -> o.put("model", "changed"));

        // then
        assertEquals(Optional.of("changed"), edited.text("model"));
        assertEquals(edited.json(), Body.json(edited.utf8()).json());
    }

    @Test
    void toStringNeverShowsTheContent() {
        // given
        Body body = Body.json(q("{'messages':[{'role':'user','content':'my password is hunter2'}]}"));

        // when
        String text = body.toString();

        // then
        assertFalse(text.contains("hunter2"), text);
        assertEquals("Body[" + body.length() + " bytes]", text);
    }

    @Test
    void ofCopiesTheTreeSoLaterChangesDoNotLeakIn() {
        // given
        ObjectNode tree = Body.MAPPER.createObjectNode().put("model", "a");
        Body body = Body.of(tree);

        // when
        tree.put("model", "b");

        // then
        assertEquals(Optional.of("a"), body.text("model"));
        assertEquals(q("{'model':'a'}"), body.utf8());
    }

    @Test
    void bytesReturnsACopy() {
        // given
        Body body = Body.json("{}");

        // when
        body.bytes()[0] = 'X';

        // then
        assertEquals("{}", body.utf8());
    }

    @Test
    void writeToWritesTheCallersBytes() throws IOException {
        // given
        Body body = Body.json(REQUEST);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // when
        body.writeTo(out);

        // then
        assertArrayEquals(REQUEST.getBytes(StandardCharsets.UTF_8), out.toByteArray());
    }

    @Test
    void objectOfAnArrayIsAnInvalidRequest() {
        // given
        Body body = Body.json("[1,2]");

        // when
        InvalidRequest failure = assertThrows(InvalidRequest.class, body::object);

        // then
        assertEquals(400, failure.status());
    }

    @Test
    void emptyBodyParsesToAMissingNode() {
        // when
        JsonNode json = Body.EMPTY.json();

        // then
        assertTrue(json.isMissingNode());
        assertTrue(Body.EMPTY.isEmpty());
    }

    @Test
    void textIsEmptyForAFieldThatIsNotText() {
        // given
        Body body = Body.json(q("{'model':42}"));

        // when / then
        assertEquals(Optional.empty(), body.text("model"));
        assertEquals(Optional.empty(), body.text("absent"));
    }

    @Test
    void flagIsFalseWhenAbsent() {
        // given
        Body body = Body.json("{}");

        // when / then
        assertFalse(body.flag("stream"));
    }

    @Test
    void flagReadsATrueBoolean() {
        // given
        Body body = Body.json(q("{'stream':true}"));

        // when / then
        assertTrue(body.flag("stream"));
    }

    @Test
    void bodiesWithTheSameBytesAreEqual() {
        // when / then
        assertEquals(Body.json(REQUEST), Body.json(REQUEST));
        assertEquals(Body.json(REQUEST).hashCode(), Body.json(REQUEST).hashCode());
    }

    @Test
    void containsAsciiFindsATokenInTheRawBytes() {
        Body body = Body.json("{\"choices\":[],\"usage\":{}}");

        assertTrue(body.containsAscii("usage"));
        assertFalse(body.containsAscii("usages"));
        assertFalse(Body.EMPTY.containsAscii("usage"));
    }

    @Test
    void mayHaveObjectFieldTellsAnObjectFromNullWithoutParsing() {
        assertTrue(Body.json("{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}").mayHaveObjectField("usage"));
        assertTrue(Body.json("{\"usage\" :\n {}}").mayHaveObjectField("usage"), "whitespace around the colon");
        assertFalse(Body.json("{\"choices\":[],\"usage\":null}").mayHaveObjectField("usage"));
        assertFalse(Body.json("{\"usages\":{}}").mayHaveObjectField("usage"));
        assertFalse(Body.json("{\"text\":\"usage\"}").mayHaveObjectField("usage"), "a value, not a key");
        assertFalse(Body.json("{\"usage\"").mayHaveObjectField("usage"), "cut short");
        assertFalse(Body.EMPTY.mayHaveObjectField("usage"));
    }

    @Test
    void aStringLongerThanJacksonsDefaultLimitIsValidJson() {
        // Jackson refuses strings over 20,000,000 characters by default: such a body was "not valid JSON"
        String input = "a".repeat(20_000_001);
        Body body = Body.json("{\"model\":\"text-embedding-3-small\",\"input\":\"" + input + "\"}");

        assertEquals(input.length(), body.text("input").orElseThrow().length());
    }

    @Test
    void nestingPastTheLimitIsA400ThatSaysSo() {
        Body body = Body.json("[".repeat(Body.MAX_DEPTH + 1) + "]".repeat(Body.MAX_DEPTH + 1));

        InvalidRequest refusal = assertThrows(InvalidRequest.class, body::json);

        assertEquals(400, refusal.status());
        assertEquals("json_too_deep", refusal.code().orElseThrow());
        assertTrue(refusal.getMessage().contains("deeper than " + Body.MAX_DEPTH + " levels"), refusal.getMessage());
    }

    @Test
    void aNumberPastTheLimitIsA400ThatSaysSo() {
        Body body = Body.json("{\"n\":" + "7".repeat(Body.MAX_NUMBER_LENGTH + 1) + "}");

        InvalidRequest refusal = assertThrows(InvalidRequest.class, body::json);

        assertEquals("json_number_too_long", refusal.code().orElseThrow());
        assertTrue(refusal.getMessage().contains("number longer than " + Body.MAX_NUMBER_LENGTH), refusal.getMessage());
    }

    @Test
    void nestingAtTheLimitIsFine() {
        Body body = Body.json("[".repeat(Body.MAX_DEPTH) + "]".repeat(Body.MAX_DEPTH));

        assertTrue(body.json().isArray());
    }

    @Test
    void aBodyThatIsNotJsonIsParsedOnceHoweverOftenItIsAsked() {
        AtomicInteger parses = new AtomicInteger();
        Body body = Body.json("{\"model\": oops}");

        InvalidRequest first = assertThrows(InvalidRequest.class, () -> body.json(parser -> {
            parses.incrementAndGet();
            return parser;
        }));
        InvalidRequest again = assertThrows(InvalidRequest.class, () -> body.json(parser -> {
            parses.incrementAndGet();
            return parser;
        }));

        assertEquals(1, parses.get());
        assertSame(first, again);
        assertThrows(InvalidRequest.class, body::json);
    }

    @Test
    void aWatcherSeesTheTokensAndItsFailureLeavesTheBodyUnparsed() {
        Body body = Body.json(REQUEST);
        IllegalStateException stop = new IllegalStateException("no room");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> body.json(parser -> {
            throw stop;
        }));

        assertSame(stop, thrown);
        assertEquals("gpt-4o", body.text("model").orElseThrow());
    }

    @Test
    void editTopLevelCopiesTheTopLevelOnlyAndLeavesTheOriginalUntouched() throws IOException {
        Body body = Body.json(REQUEST);

        Body edited = body.editTopLevel(o -> o.put("model", "gpt-4o-mini"));

        assertEquals("gpt-4o", body.text("model").orElseThrow());
        assertEquals("gpt-4o-mini", edited.text("model").orElseThrow());
        assertSame(body.json().get("x_vendor"), edited.json().get("x_vendor"));
        assertEquals(Body.MAPPER.readTree(REQUEST.replace("gpt-4o", "gpt-4o-mini")),
                Body.MAPPER.readTree(edited.utf8()));
    }

    @Test
    void aLargeBodyIsWrittenInSlicesSoASinkNeverBuffersAllOfIt() throws IOException {
        byte[] large = new byte[200 * 1024];
        List<Integer> writes = new ArrayList<>();
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                writes.add(1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(len);
            }
        };

        Body.wrap(large).writeTo(sink);

        assertEquals(large.length, writes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(writes.stream().allMatch(n -> n <= 64 * 1024), writes::toString);
    }
}
