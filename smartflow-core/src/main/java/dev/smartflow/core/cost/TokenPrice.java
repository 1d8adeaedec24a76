package dev.smartflow.core.cost;

import dev.smartflow.core.model.Usage;

/**
 * A model's token prices in micro-USD per million tokens, which is the same number as pico-USD per token; so a cost is
 * an exact sum of integer products, rounded once, half up, to whole micro-USD.
 *
 * <pre>{@code
 * TokenPrice gpt4oMini = TokenPrice.perMillion(150_000, 75_000, 600_000); // $0.15, $0.075 cached, $0.60
 * long micros = gpt4oMini.costMicros(new Usage(9, 3, 12));               // 1.35 + 1.8 = 3.15 -> 3
 * }</pre>
 *
 * @param inputMicrosPerMillion       uncached prompt tokens
 * @param cachedInputMicrosPerMillion prompt tokens read from the provider's cache
 * @param outputMicrosPerMillion      completion tokens
 */
public record TokenPrice(long inputMicrosPerMillion, long cachedInputMicrosPerMillion, long outputMicrosPerMillion) {
    private static final long PICOS_PER_MICRO = 1_000_000;

    /** @throws IllegalArgumentException if a price is negative */
    public TokenPrice {
        if (inputMicrosPerMillion < 0 || cachedInputMicrosPerMillion < 0 || outputMicrosPerMillion < 0) {
            throw new IllegalArgumentException("prices must not be negative");
        }
    }

    public static TokenPrice perMillion(long inputMicros, long cachedInputMicros, long outputMicros) {
        return new TokenPrice(inputMicros, cachedInputMicros, outputMicros);
    }

    /**
     * The cost of {@code usage} in micro-USD: cached prompt tokens at the cached-input price, the rest of the prompt at
     * the input price, completion tokens at the output price; exact until one final half-up rounding.
     *
     * @throws ArithmeticException if the figures overflow a long (token counts beyond any real call)
     */
    public long costMicros(Usage usage) {
        long cached = Math.min(usage.cachedPromptTokens(), usage.promptTokens());
        long picos = Math.addExact(Math.addExact(
                        Math.multiplyExact(usage.promptTokens() - cached, inputMicrosPerMillion),
                        Math.multiplyExact(cached, cachedInputMicrosPerMillion)),
                Math.multiplyExact(usage.completionTokens(), outputMicrosPerMillion));
        return Math.addExact(picos, PICOS_PER_MICRO / 2) / PICOS_PER_MICRO;
    }
}
