package dev.smartflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.Smartflow;
import dev.smartflow.providers.ProviderRegistry;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

class EmbeddedChatTest {
    @Test
    void theExampleGetsAPlainAndAStreamedAnswerInProcess() throws Exception {
        try (MockWebServer upstream = new MockWebServer()) {
            upstream.enqueue(new MockResponse.Builder().addHeader("content-type", "application/json").body("""
                    {"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini",\
                    "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, nice to meet"},\
                    "finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":6,"total_tokens":13}}""")
                    .build());
            upstream.enqueue(new MockResponse.Builder().addHeader("content-type", "text/event-stream").body("""
                    data: {"id":"c2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"1, 2"},"finish_reason":null}]}

                    data: {"id":"c2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":", 3"},"finish_reason":"stop"}]}

                    data: [DONE]

                    """).build());
            upstream.start();
            ProviderRegistry registry = ProviderRegistry.builder()
                    .environment(Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_API_BASE", upstream.url("/v1").toString()))
                    .build();
            try (Smartflow smartflow = Smartflow.builder().resolver(registry).build()) {
                assertEquals("Hello there, nice to meet (openai, 13 tokens)\n1, 2, 3",
                        EmbeddedChat.run(smartflow, "gpt-4o-mini"));
            }
        }
    }
}
