package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, unmodified, pointed at the gateway. */
class OpenAiSdkInteropTest extends GatewayTest {
    OpenAIClient client;

    @BeforeEach
    void start() {
        client = sdk(Gateway.MASTER);
    }

    @AfterEach
    void stop() {
        client.close();
    }

    private OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.proxy("/v1")).apiKey(key).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams hello() {
        return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("Say hello").build();
    }

    @Test
    void chatCompletionWorksThroughTheSdk() {
        ChatCompletion completion = client.chat().completions().create(hello());
        assertEquals("Hello from upstream", completion.choices().get(0).message().content().orElseThrow());
        assertEquals(12, completion.usage().orElseThrow().totalTokens());
    }

    @Test
    void streamedChatCompletionWorksThroughTheSdk() {
        ChatCompletionCreateParams withUsage = hello().toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(withUsage)) {
            List<ChatCompletionChunk> chunks = stream.stream().toList();
            String text = chunks.stream()
                    .flatMap(chunk -> chunk.choices().stream())
                    .map(choice -> choice.delta().content().orElse(""))
                    .collect(Collectors.joining());
            assertEquals("Hello!", text);
            assertEquals(11, chunks.get(chunks.size() - 1).usage().orElseThrow().totalTokens());
        }
    }

    @Test
    void streamWithoutStreamOptionsEndsWithoutAUsageChunkAsOpenAisWould() {
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(hello())) {
            List<ChatCompletionChunk> chunks = stream.stream().toList();
            assertTrue(chunks.stream().allMatch(chunk -> chunk.usage().isEmpty()), chunks.toString());
            assertEquals("stop", chunks.getLast().choices().get(0).finishReason().orElseThrow().asString());
        }
    }

    @Test
    void embeddingsWorkThroughTheSdk() {
        CreateEmbeddingResponse response = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("hello").build());
        assertEquals(List.of(0.25f, -0.5f, 0.75f), response.data().get(0).embedding());
    }

    @Test
    void modelsListWorksThroughTheSdk() {
        List<String> ids = client.models().list().autoPager().stream().map(Model::id).toList();
        assertTrue(ids.contains("gpt-4o-mini"), ids.toString());
    }

    @Test
    void sdkSeesGatewayErrorsAsTypedExceptions() {
        OpenAIClient stranger = sdk("sk-not-a-key");
        try {
            assertThrows(UnauthorizedException.class, () -> stranger.chat().completions().create(hello()));
        } finally {
            stranger.close();
        }
        BadRequestException bad = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("nosuch/model").addUserMessage("x").build()));
        assertInstanceOf(String.class, bad.getMessage());
        assertTrue(bad.getMessage().contains("nosuch"), bad.getMessage());
    }
}
