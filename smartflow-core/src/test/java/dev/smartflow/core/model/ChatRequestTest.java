package dev.smartflow.core.model;

import static dev.smartflow.core.testing.Json.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatRequestTest {
    @Test
    void builderWritesModelAndMessagesInOpenAiShape() {
        // when
        ChatRequest request = ChatRequest.builder()
                .model("gpt-4o-mini")
                .message(Message.system("Answer in one word."))
                .message(Message.user("Capital of France?"))
                .build();

        // then
        assertEquals(q("{'model':'gpt-4o-mini','messages':[{'role':'system','content':'Answer in one word.'},"
                + "{'role':'user','content':'Capital of France?'}]}"), request.body().utf8());
    }

    @Test
    void paramAddsAnyOtherField() {
        // when
        ChatRequest request = ChatRequest.builder().model("m").message(Message.user("hi"))
                .param("temperature", 0.2)
                .param("response_format", Map.of("type", "json_object"))
                .build();

        // then
        JsonNode json = request.body().json();
        assertEquals(0.2, json.path("temperature").asDouble());
        assertEquals("json_object", json.path("response_format").path("type").asText());
    }

    @Test
    void builderWithoutModelIsRejected() {
        // given
        ChatRequest.Builder builder = ChatRequest.builder().message(Message.user("hi"));

        // when
        IllegalStateException failure = assertThrows(IllegalStateException.class, builder::build);

        // then
        assertTrue(failure.getMessage().contains("model"), failure.getMessage());
    }

    @Test
    void builderWithoutMessagesIsRejected() {
        // given
        ChatRequest.Builder builder = ChatRequest.builder().model("m");

        // when
        IllegalStateException failure = assertThrows(IllegalStateException.class, builder::build);

        // then
        assertTrue(failure.getMessage().contains("message"), failure.getMessage());
    }

    @Test
    void paramRejectsModel() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> ChatRequest.builder().param("model", "m"));
    }

    @Test
    void paramRejectsMessages() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> ChatRequest.builder().param("messages", List.of()));
    }

    @Test
    void builderCanBuildAgainWithoutTheFirstRequestChanging() {
        // given
        ChatRequest.Builder builder = ChatRequest.builder().model("m").message(Message.user("one"));
        ChatRequest first = builder.build();

        // when
        builder.message(Message.user("two")).build();

        // then
        assertEquals(1, first.body().json().path("messages").size());
    }

    @Test
    void fromJsonKeepsUnknownFieldsAsWritten() {
        // given
        String json = q("{'model':'m','messages':[{'role':'user','content':'hi'}],'x_vendor':{'a':[1,2]}}");

        // when
        ChatRequest request = ChatRequest.fromJson(json);

        // then
        assertEquals(json, request.body().utf8());
    }

    @Test
    void ofIsOneUserMessage() {
        // when
        ChatRequest request = ChatRequest.of("m", "hello");

        // then
        assertEquals(q("{'model':'m','messages':[{'role':'user','content':'hello'}]}"), request.body().utf8());
    }

    @Test
    void streamingAsksForAStreamWithUsage() {
        // when
        JsonNode json = ChatRequest.of("m", "hello").streaming().body().json();

        // then
        assertTrue(json.path("stream").booleanValue());
        assertTrue(json.path("stream_options").path("include_usage").booleanValue());
    }

    @Test
    void streamingKeepsTheCallersStreamOptions() {
        // given
        ChatRequest request = ChatRequest.fromJson(
                q("{'model':'m','messages':[],'stream_options':{'include_usage':false}}"));

        // when
        JsonNode json = request.streaming().body().json();

        // then
        assertFalse(json.path("stream_options").path("include_usage").booleanValue());
    }

    @Test
    void streamingLeavesTheOriginalRequestUnchanged() {
        // given
        ChatRequest request = ChatRequest.of("m", "hello");

        // when
        request.streaming();

        // then
        assertFalse(request.body().json().has("stream"));
    }

    @Test
    void toStringShowsTheModelButNotThePrompt() {
        // when
        String text = ChatRequest.of("gpt-4o", "my secret question").toString();

        // then
        assertEquals("ChatRequest[gpt-4o]", text);
    }

    @Test
    void toStringOfMalformedJsonDoesNotThrow() {
        // given
        ChatRequest request = ChatRequest.fromJson("{\"model\": oops");

        // when
        String text = request.toString();

        // then
        assertEquals("ChatRequest[?]", text);
    }

    @Test
    void messageToStringHidesTheContent() {
        // when
        String text = Message.user("my secret question").toString();

        // then
        assertFalse(text.contains("secret"), text);
    }
}
