package dev.smartflow.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.testing.Json;
import org.junit.jupiter.api.Test;

class ChatResponseTest {
    @Test
    void readsContentFinishReasonAndUsageOfTheFirstChoice() {
        // when
        ChatResponse response = ChatResponse.from(Json.completion("Paris", 12, 3));

        // then
        assertEquals("Paris", response.content());
        assertEquals("stop", response.finishReason());
        assertEquals(new Usage(12, 3, 15), response.usage());
    }

    @Test
    void providerComesFromTheSmartflowHeader() {
        // when
        ChatResponse response = ChatResponse.from(Json.completion("Paris", 1, 1)
                .withHeader("x-smartflow-provider", "groq"));

        // then
        assertEquals("groq", response.provider());
    }

    @Test
    void answerWithoutChoicesHasEmptyContentAndNoUsage() {
        // when
        ChatResponse response = ChatResponse.from(new Response.Complete(200, Headers.EMPTY, Body.json("{}")));

        // then
        assertEquals("", response.content());
        assertEquals(Usage.NONE, response.usage());
        assertEquals("", response.provider());
    }
}
