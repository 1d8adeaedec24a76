package dev.smartflow.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OperationTest {
    @Test
    void countTokensAndTheModelListAreTheOnlyCallsThatCostNothing() {
        EnumSet<LlmOperation> free = EnumSet.of(LlmOperation.ANTHROPIC_COUNT_TOKENS, LlmOperation.MODELS);

        for (LlmOperation operation : EnumSet.complementOf(free)) {
            assertTrue(operation.billed(), operation.name());
        }
        for (LlmOperation operation : free) {
            assertFalse(operation.billed(), operation.name());
        }
    }

    @Test
    void aModulesOperationIsNeverRoutedAndNamesItsRoute() {
        Operation toolCall = new ModuleOperation("mcp.tools/call", "/mcp/tools/call", true, false);

        assertFalse(toolCall.routed());
        assertTrue(toolCall.billed());
        assertEquals("/mcp/tools/call", toolCall.path());
        assertEquals(Optional.empty(), toolCall.llm());
        assertEquals(Optional.of(LlmOperation.CHAT), Operation.CHAT.llm());
        assertThrows(IllegalArgumentException.class, () -> new ModuleOperation("Bad Name", "/x", false, false));
        assertThrows(IllegalArgumentException.class, () -> new ModuleOperation("ok", "no-slash", false, false));
    }
}
