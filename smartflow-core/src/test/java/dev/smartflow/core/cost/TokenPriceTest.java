package dev.smartflow.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.model.Usage;
import org.junit.jupiter.api.Test;

class TokenPriceTest {
    private static final TokenPrice GPT_4O_MINI = TokenPrice.perMillion(150_000, 75_000, 600_000);
    private static final TokenPrice CLAUDE_SONNET_4 = TokenPrice.perMillion(3_000_000, 300_000, 15_000_000);

    @Test
    void promptAndCompletionArePricedAndRoundedOnce() {
        // 9 * 0.15 + 3 * 0.60 = 1.35 + 1.80 = 3.15 micro-USD -> 3
        assertEquals(3, GPT_4O_MINI.costMicros(new Usage(9, 3, 12)));
    }

    @Test
    void halfAMicroRoundsUp() {
        // 10 * 0.15 = 1.5 micro-USD -> 2; 30 * 0.15 = 4.5 -> 5; 29 * 0.15 = 4.35 -> 4
        assertEquals(2, GPT_4O_MINI.costMicros(new Usage(10, 0, 10)));
        assertEquals(5, GPT_4O_MINI.costMicros(new Usage(30, 0, 30)));
        assertEquals(4, GPT_4O_MINI.costMicros(new Usage(29, 0, 29)));
    }

    @Test
    void roundingHappensOnceNotPerPart() {
        // 2 uncached * 0.15 = 0.30 and 3 cached * 0.075 = 0.225: each part alone rounds to 0, the sum 0.525 to 1
        assertEquals(1, GPT_4O_MINI.costMicros(new Usage(5, 0, 5, 3)));
    }

    @Test
    void cachedPromptTokensAreBilledAtTheCachedPrice() {
        // 12,000 prompt of which 10,000 cached, 500 completion:
        // 2,000 * 3.00 + 10,000 * 0.30 + 500 * 15.00 = 6,000 + 3,000 + 7,500 = 16,500 micro-USD
        assertEquals(16_500, CLAUDE_SONNET_4.costMicros(new Usage(12_000, 500, 12_500, 10_000)));
    }

    @Test
    void largeCallsAreExact() {
        // 1,000,000 prompt + 1,000,000 completion on Sonnet 4 = $3 + $15 = $18
        assertEquals(18_000_000, CLAUDE_SONNET_4.costMicros(new Usage(1_000_000, 1_000_000, 2_000_000)));
    }

    @Test
    void embeddingsArePricedByPromptTokensAlone() {
        TokenPrice textEmbedding3Small = TokenPrice.perMillion(20_000, 20_000, 0);
        // 120,000 tokens * 0.02 = 2,400 micro-USD
        assertEquals(2_400, textEmbedding3Small.costMicros(new Usage(120_000, 0, 120_000)));
    }

    @Test
    void moreCachedThanPromptTokensIsReadAsAllCached() {
        assertEquals(1, GPT_4O_MINI.costMicros(new Usage(10, 0, 10, 50)));
    }

    @Test
    void absurdCountsOverflowLoudly() {
        assertThrows(ArithmeticException.class,
                () -> CLAUDE_SONNET_4.costMicros(new Usage(Long.MAX_VALUE / 2, 0, Long.MAX_VALUE / 2)));
    }

    @Test
    void negativePricesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> TokenPrice.perMillion(-1, 0, 0));
    }
}
