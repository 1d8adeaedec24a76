package dev.smartflow.core.exchange;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class OperationTest {
    @Test
    void countTokensAndTheModelListAreTheOnlyCallsThatCostNothing() {
        EnumSet<Operation> free = EnumSet.of(Operation.ANTHROPIC_COUNT_TOKENS, Operation.MODELS);

        for (Operation operation : EnumSet.complementOf(free)) {
            assertTrue(operation.billed(), operation.name());
        }
        for (Operation operation : free) {
            assertFalse(operation.billed(), operation.name());
        }
    }
}
