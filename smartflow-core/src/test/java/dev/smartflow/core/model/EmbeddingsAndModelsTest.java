package dev.smartflow.core.model;

import static dev.smartflow.core.testing.Json.body;
import static dev.smartflow.core.testing.Json.q;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.exchange.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddingsAndModelsTest {
    @Test
    void embeddingRequestListsTheInputs() {
        // when
        EmbeddingRequest request = EmbeddingRequest.of("text-embedding-3-small", List.of("a", "b"));

        // then
        assertEquals(q("{'model':'text-embedding-3-small','input':['a','b']}"), request.body().utf8());
    }

    @Test
    void embeddingRequestWithoutInputsIsRejected() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> EmbeddingRequest.of("m", List.of()));
    }

    @Test
    void embeddingRequestToStringOfMalformedJsonDoesNotThrow() {
        // given
        EmbeddingRequest request = EmbeddingRequest.fromJson("{oops");

        // when / then
        assertEquals("EmbeddingRequest[?]", request.toString());
    }

    @Test
    void embeddingResponseReadsTheVectorsInOrder() {
        // given
        Response.Complete answer = Response.Complete.json(body(
                "{'data':[{'index':0,'embedding':[0.5,-1.0]},{'index':1,'embedding':[0.25,2]}]}"));

        // when
        List<float[]> vectors = EmbeddingResponse.from(answer).vectors();

        // then
        assertEquals(2, vectors.size());
        assertArrayEquals(new float[] {0.5f, -1.0f}, vectors.get(0));
        assertArrayEquals(new float[] {0.25f, 2f}, vectors.get(1));
    }

    @Test
    void modelListReadsTheIds() {
        // given
        Response.Complete answer = Response.Complete.json(body(
                "{'object':'list','data':[{'id':'gpt-4o'},{'id':'groq/llama'}]}"));

        // when / then
        assertEquals(List.of("gpt-4o", "groq/llama"), ModelList.from(answer).ids());
    }
}
