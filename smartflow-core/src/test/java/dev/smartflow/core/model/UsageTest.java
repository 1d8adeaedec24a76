package dev.smartflow.core.model;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.smartflow.core.exchange.Body;
import org.junit.jupiter.api.Test;

class UsageTest {
    @Test
    void readsOpenAiUsage() {
        // when
        Usage usage = Usage.from(body("{'prompt_tokens':10,'completion_tokens':5,'total_tokens':15}").json());

        // then
        assertEquals(new Usage(10, 5, 15), usage);
    }

    @Test
    void missingTotalIsTheSumOfTheParts() {
        // when
        Usage usage = Usage.from(body("{'prompt_tokens':10,'completion_tokens':5}").json());

        // then
        assertEquals(15, usage.totalTokens());
    }

    @Test
    void missingUsageIsNone() {
        // when / then
        assertEquals(Usage.NONE, Usage.from(MissingNode.getInstance()));
        assertEquals(Usage.NONE, Usage.from(null));
    }

    @Test
    void negativeCountsReadAsZero() {
        // when
        Usage usage = Usage.from(body("{'prompt_tokens':-3,'completion_tokens':2,'total_tokens':-1}").json());

        // then
        assertEquals(new Usage(0, 2, 0), usage);
    }

    @Test
    void negativeCountsAreRejectedByTheConstructor() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> new Usage(-1, 0, 0));
    }

    @Test
    void cachedPromptTokensAreReadFromTheDetails() {
        Usage usage = Usage.from(body("{'prompt_tokens':100,'completion_tokens':5,'total_tokens':105,"
                + "'prompt_tokens_details':{'cached_tokens':60}}").json());

        assertEquals(new Usage(100, 5, 105, 60), usage);
        assertEquals(40, usage.uncachedPromptTokens());
    }

    @Test
    void absurdOrNegativeCountsFromAnUpstreamAreHeldWithinRange() throws Exception {
        Usage usage = Usage.from(Body.MAPPER.readTree(
                "{\"prompt_tokens\":-5,\"completion_tokens\":9223372036854775807,\"total_tokens\":1e300}"));

        assertEquals(0, usage.promptTokens());
        assertEquals(Usage.MAX_COUNT, usage.completionTokens());
        assertEquals(Usage.MAX_COUNT, usage.totalTokens());
    }
}
