package dev.smartflow.core.validation;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.core.testing.RecordingChain;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValidationStageTest {
    private static final String MESSAGES = "'messages':[{'role':'user','content':'hi'}]";

    private final ValidationStage stage = new ValidationStage();
    private final RecordingChain chain = new RecordingChain();

    private static Exchange exchange(Operation operation, String singleQuotedJson) {
        return Exchange.of(operation, body(singleQuotedJson), Headers.EMPTY);
    }

    private InvalidRequest rejected(Exchange exchange) {
        return assertThrows(InvalidRequest.class, () -> stage.handle(exchange, chain));
    }

    private void assertRejected(Exchange exchange, String param) {
        InvalidRequest failure = rejected(exchange);
        assertEquals(400, failure.status());
        assertEquals(Optional.of(param), failure.param());
    }

    @Test
    void modelNamesThatCannotTravelInAHeaderAreRefused() {
        assertRejected(exchange(Operation.CHAT, "{'model':'gpt-4o\\nx'," + MESSAGES + "}"), "model");
        assertRejected(exchange(Operation.CHAT, "{'model':'gpt 4o'," + MESSAGES + "}"), "model");
        assertRejected(exchange(Operation.CHAT, "{'model':'gpt-4o\\u0000'," + MESSAGES + "}"), "model");
        assertRejected(exchange(Operation.EMBEDDINGS, "{'model':'" + "m".repeat(ValidationStage.MAX_MODEL_LENGTH + 1)
                + "','input':'x'}"), "model");
        assertRejected(exchange(Operation.ANTHROPIC_MESSAGES, "{'model':'claude\\u2028'," + MESSAGES + "}"),
                "model");
    }

    @Test
    void longestAcceptedModelNamePasses() {
        Exchange exchange = exchange(Operation.CHAT, "{'model':'openrouter/"
                + "m".repeat(ValidationStage.MAX_MODEL_LENGTH - "openrouter/".length()) + "'," + MESSAGES + "}");

        stage.handle(exchange, chain);

        assertSame(exchange, chain.onlyExchange());
    }

    @Test
    void userMustBeAShortStringWithoutControlCharacters() {
        assertRejected(exchange(Operation.CHAT, "{'model':'m','user':'a\\u0000b'," + MESSAGES + "}"), "user");
        assertRejected(exchange(Operation.CHAT, "{'model':'m','user':7," + MESSAGES + "}"), "user");
        assertRejected(exchange(Operation.CHAT, "{'model':'m','user':'" + "u".repeat(513) + "'," + MESSAGES + "}"),
                "user");
        Exchange fine = exchange(Operation.CHAT, "{'model':'m','user':'user-\u00e9t\u00e9 42'," + MESSAGES + "}");
        stage.handle(fine, chain);
        assertSame(fine, chain.onlyExchange());
    }

    @Test
    void outputMultipliersAreBoundedIntegers() {
        assertRejected(exchange(Operation.CHAT, "{'model':'m','n':0," + MESSAGES + "}"), "n");
        assertRejected(exchange(Operation.CHAT, "{'model':'m','n':129," + MESSAGES + "}"), "n");
        assertRejected(exchange(Operation.CHAT, "{'model':'m','n':'2'," + MESSAGES + "}"), "n");
        assertRejected(exchange(Operation.CHAT, "{'model':'m','n':2.5," + MESSAGES + "}"), "n");
        assertRejected(exchange(Operation.CHAT, "{'model':'m','n':1e400," + MESSAGES + "}"), "n");
        assertRejected(exchange(Operation.COMPLETIONS, "{'model':'m','prompt':'p','best_of':21}"), "best_of");
        assertRejected(exchange(Operation.COMPLETIONS, "{'model':'m','prompt':'p','n':3,'best_of':2}"), "best_of");
        Exchange fine = exchange(Operation.COMPLETIONS, "{'model':'m','prompt':'p','n':2,'best_of':20}");
        stage.handle(fine, chain);
        assertSame(fine, chain.onlyExchange());
    }

    @Test
    void validChatPassesUnchanged() {
        // given
        Exchange exchange = exchange(Operation.CHAT, "{'model':'gpt-4o'," + MESSAGES + ",'x_extra':1}");

        // when
        stage.handle(exchange, chain);

        // then
        assertSame(exchange, chain.onlyExchange());
    }

    @Test
    void validCompletionsWithAnArrayPromptPasses() {
        // given
        Exchange exchange = exchange(Operation.COMPLETIONS, "{'model':'m','prompt':['a','b']}");

        // when
        stage.handle(exchange, chain);

        // then
        assertSame(exchange, chain.onlyExchange());
    }

    @Test
    void validEmbeddingsWithATextInputPasses() {
        // given
        Exchange exchange = exchange(Operation.EMBEDDINGS, "{'model':'m','input':'hello'}");

        // when
        stage.handle(exchange, chain);

        // then
        assertSame(exchange, chain.onlyExchange());
    }

    @Test
    void anthropicMessagesAreCheckedLikeChat() {
        // given
        Exchange valid = exchange(Operation.ANTHROPIC_MESSAGES, "{'model':'claude-sonnet-4-5','max_tokens':64,"
                + MESSAGES + "}");

        // when
        stage.handle(valid, chain);

        // then
        assertSame(valid, chain.onlyExchange());
        assertRejected(exchange(Operation.ANTHROPIC_MESSAGES, "{'model':'claude-sonnet-4-5','max_tokens':64}"),
                "messages");
    }

    @Test
    void mediaAndRerankNeedTheirOwnRequiredFields() {
        // given
        Exchange image = exchange(Operation.IMAGES, "{'model':'dall-e-3','prompt':'a cat'}");
        Exchange speech = exchange(Operation.SPEECH, "{'model':'tts-1','input':'hello','voice':'alloy'}");
        Exchange rerank = exchange(Operation.RERANK, "{'model':'rerank-v3.5','query':'q','documents':['a','b']}");

        // when
        stage.handle(image, chain);
        stage.handle(speech, chain);
        stage.handle(rerank, chain);

        // then
        assertEquals(List.of(image, speech, rerank), chain.proceeded());
        assertRejected(exchange(Operation.IMAGES, "{'model':'dall-e-3'}"), "prompt");
        assertRejected(exchange(Operation.IMAGES, "{'model':'dall-e-3','prompt':'  '}"), "prompt");
        assertRejected(exchange(Operation.SPEECH, "{'model':'tts-1','input':7}"), "input");
        assertRejected(exchange(Operation.RERANK, "{'model':'r','documents':['a']}"), "query");
        assertRejected(exchange(Operation.RERANK, "{'model':'r','query':'q','documents':[]}"), "documents");
        assertRejected(exchange(Operation.ANTHROPIC_COUNT_TOKENS, "{'model':'claude-sonnet-4-5'}"), "messages");
    }

    @Test
    void imageCountMustBeAWholeNumberFromOneToTen() {
        stage.handle(exchange(Operation.IMAGES, "{'model':'dall-e-2','prompt':'a cat','n':10}"), chain);

        assertEquals(1, chain.proceeded().size());
        assertRejected(exchange(Operation.IMAGES, "{'model':'dall-e-2','prompt':'a cat','n':0}"), "n");
        assertRejected(exchange(Operation.IMAGES, "{'model':'dall-e-2','prompt':'a cat','n':11}"), "n");
        assertRejected(exchange(Operation.IMAGES, "{'model':'dall-e-2','prompt':'a cat','n':2.5}"), "n");
        assertRejected(exchange(Operation.IMAGES, "{'model':'dall-e-2','prompt':'a cat','n':'2'}"), "n");
        assertRejected(exchange(Operation.IMAGES, "{'model':'gpt-image-1','prompt':'a cat','stream':true}"), "stream");
    }

    @Test
    void transcriptionNeedsItsFile() {
        Exchange withFile = exchange(Operation.TRANSCRIPTIONS, "{'model':'whisper-1'}")
                .with(Upload.KEY, Upload.of("a.wav", "audio/wav", new byte[] {1}));

        stage.handle(withFile, chain);

        assertEquals(List.of(withFile), chain.proceeded());
        assertRejected(exchange(Operation.TRANSCRIPTIONS, "{'model':'whisper-1'}"), "file");
    }

    @Test
    void modelsPassesWithoutABody() {
        // given
        Exchange exchange = Exchange.of(Operation.MODELS, Body.EMPTY, Headers.EMPTY);

        // when
        stage.handle(exchange, chain);

        // then
        assertSame(exchange, chain.onlyExchange());
    }

    @Test
    void missingModelIsRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT, "{" + MESSAGES + "}"), "model");
    }

    @Test
    void nullModelIsRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT, "{'model':null," + MESSAGES + "}"), "model");
    }

    @Test
    void modelOfTheWrongTypeIsRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT, "{'model':42," + MESSAGES + "}"), "model");
    }

    @Test
    void blankModelIsRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT, "{'model':'  '," + MESSAGES + "}"), "model");
    }

    @Test
    void streamThatIsNotABooleanIsRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT, "{'model':'m','stream':'true'," + MESSAGES + "}"), "stream");
    }

    @Test
    void missingMessagesAreRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT, "{'model':'m'}"), "messages");
    }

    @Test
    void emptyMessagesAreRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT, "{'model':'m','messages':[]}"), "messages");
    }

    @Test
    void messagesThatAreNotAnArrayAreRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT, "{'model':'m','messages':{'role':'user'}}"), "messages");
    }

    @Test
    void messageThatIsNotAnObjectIsRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT, "{'model':'m','messages':['hi']}"), "messages[0]");
    }

    @Test
    void messageWithoutARoleIsRejected() {
        // when / then
        assertRejected(exchange(Operation.CHAT,
                "{'model':'m','messages':[{'role':'system','content':'a'},{'content':'b'}]}"), "messages[1].role");
    }

    @Test
    void completionsWithoutPromptAreRejected() {
        // when / then
        assertRejected(exchange(Operation.COMPLETIONS, "{'model':'m'}"), "prompt");
    }

    @Test
    void completionsWithANumericPromptAreRejected() {
        // when / then
        assertRejected(exchange(Operation.COMPLETIONS, "{'model':'m','prompt':7}"), "prompt");
    }

    @Test
    void embeddingsWithoutInputAreRejected() {
        // when / then
        assertRejected(exchange(Operation.EMBEDDINGS, "{'model':'m'}"), "input");
    }

    @Test
    void embeddingsWithAnEmptyInputArrayAreRejected() {
        // when / then
        assertRejected(exchange(Operation.EMBEDDINGS, "{'model':'m','input':[]}"), "input");
    }

    @Test
    void bodyThatIsNotAJsonObjectIsRejectedWith400() {
        // given
        Exchange exchange = exchange(Operation.CHAT, "[1,2,3]");

        // when
        InvalidRequest failure = rejected(exchange);

        // then
        assertEquals(400, failure.status());
    }

    @Test
    void routedCallWithoutABodyIsRejectedWith400() {
        // given
        Exchange exchange = Exchange.of(Operation.CHAT, Body.EMPTY, Headers.EMPTY);

        // when
        InvalidRequest failure = rejected(exchange);

        // then
        assertEquals(400, failure.status());
    }

    @Test
    void rejectedRequestNeverReachesTheRestOfTheChain() {
        // given
        Exchange exchange = exchange(Operation.CHAT, "{'model':'m'}");

        // when
        rejected(exchange);

        // then
        assertFalse(chain.wasProceeded());
    }

    @Test
    void rejectionMessageNamesTheParameter() {
        // given
        Exchange exchange = exchange(Operation.EMBEDDINGS, "{'model':'m'}");

        // when
        InvalidRequest failure = rejected(exchange);

        // then
        assertEquals("missing required parameter 'input'", failure.getMessage());
    }
}
