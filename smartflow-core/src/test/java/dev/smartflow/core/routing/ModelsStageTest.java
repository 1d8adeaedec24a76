package dev.smartflow.core.routing;

import static dev.smartflow.core.testing.Json.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.Json;
import dev.smartflow.core.testing.RecordingChain;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelsStageTest {
    private static final Exchange MODELS = Exchange.of(Operation.MODELS, Body.EMPTY, Headers.EMPTY);

    private final FakeProvider openai = new FakeProvider("openai");
    private final FakeProvider groq = new FakeProvider("groq");
    private final RecordingChain chain = new RecordingChain();

    private JsonNode list(FakeProvider... providers) {
        Response response = new ModelsStage(new FakeResolver(providers)).handle(MODELS, chain);
        return ((Response.Complete) response).body().json();
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(model -> ids.add(model.path("id").asText()));
        return ids;
    }

    private static JsonNode model(String singleQuotedJson) {
        return Body.json(q(singleQuotedJson)).json();
    }

    @Test
    void listsTheModelsOfEveryProviderInResolverOrder() {
        // given
        openai.models("gpt-4o", "gpt-4o-mini");
        groq.models("llama-3.3-70b");

        // when
        JsonNode list = list(openai, groq);

        // then
        assertEquals(List.of("gpt-4o", "gpt-4o-mini", "groq/llama-3.3-70b"), ids(list));
    }

    @Test
    void answerIsAnOpenAiModelList() {
        // given
        openai.models("gpt-4o");

        // when
        JsonNode list = list(openai);

        // then
        assertEquals("list", list.path("object").asText());
        assertEquals("model", list.path("data").path(0).path("object").asText());
    }

    @Test
    void idsOfProvidersOtherThanOpenaiCarryTheirRoutingPrefix() {
        // given
        groq.models("llama-3.3-70b", "mixtral-8x7b");

        // when
        JsonNode list = list(groq);

        // then
        assertEquals(List.of("groq/llama-3.3-70b", "groq/mixtral-8x7b"), ids(list));
    }

    @Test
    void duplicateIdsAreListedOnce() {
        // given
        openai.models("gpt-4o", "gpt-4o");
        groq.models("llama", "llama");

        // when
        JsonNode list = list(openai, groq);

        // then
        assertEquals(List.of("gpt-4o", "groq/llama"), ids(list));
    }

    @Test
    void sameIdFromTwoProvidersIsListedOncePerRoute() {
        // given
        openai.models("shared-model");
        groq.models("shared-model");

        // when
        JsonNode list = list(openai, groq);

        // then
        assertEquals(List.of("shared-model", "groq/shared-model"), ids(list));
    }

    @Test
    void missingCreatedAndOwnerAreFilledIn() {
        // given
        groq.models("llama");

        // when
        JsonNode entry = list(groq).path("data").path(0);

        // then
        assertEquals(0, entry.path("created").asLong(-1));
        assertEquals("groq", entry.path("owned_by").asText());
    }

    @Test
    void createdOwnerAndOtherFieldsOfTheProviderAreKept() {
        // given
        groq.modelObjects(List.of(model("{'id':'llama','created':1700000000,'owned_by':'meta','context_window':8192}")));

        // when
        JsonNode entry = list(groq).path("data").path(0);

        // then
        assertEquals(1700000000L, entry.path("created").asLong());
        assertEquals("meta", entry.path("owned_by").asText());
        assertEquals(8192, entry.path("context_window").asInt());
    }

    @Test
    void entriesWithoutAnIdAreLeftOut() {
        // given
        groq.modelObjects(List.of(model("{'object':'model'}"), model("{'id':''}"), model("{'id':'llama'}")));

        // when
        JsonNode list = list(groq);

        // then
        assertEquals(List.of("groq/llama"), ids(list));
    }

    @Test
    void providerThatCannotBeAskedIsLeftOutWhileTheOthersRemain() {
        // given
        openai.failModels(UpstreamFailure.io("openai", "connection refused", null));
        groq.models("llama");

        // when
        JsonNode list = list(openai, groq);

        // then
        assertEquals(List.of("groq/llama"), ids(list));
    }

    @Test
    void modelsAreAnsweredWithoutProceeding() {
        // given
        openai.models("gpt-4o");

        // when
        list(openai);

        // then
        assertTrue(chain.proceeded().isEmpty());
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void otherOperationsPassThrough() {
        // given
        Exchange chat = Json.chat("gpt-4o");
        ModelsStage stage = new ModelsStage(new FakeResolver(openai));

        // when
        Response response = stage.handle(chat, chain);

        // then
        assertSame(chat, chain.onlyExchange());
        assertSame(RecordingChain.OK, response);
    }

    @Test
    void noProvidersGiveAnEmptyList() {
        // when
        JsonNode list = list();

        // then
        assertEquals(List.of(), ids(list));
        assertTrue(list.path("data").isArray());
    }
}
