package dev.smartflow.providers.catalog;

import dev.smartflow.core.cost.TokenPrice;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One model in the {@link ModelCatalog}: who serves it, what it costs and what it takes. Money is micro-USD.
 *
 * <pre>{@code
 * ModelEntry mine = ModelEntry.tokens("openai", "my-finetune", TokenPrice.perMillion(300_000, 150_000, 1_200_000));
 * ModelEntry azure = ModelEntry.builder("azure", "gpt-4o")
 *         .tokens(TokenPrice.perMillion(2_500_000, 1_250_000, 10_000_000))
 *         .contextWindow(128_000)
 *         .inputModalities("text", "image")
 *         .build();
 * }</pre>
 *
 * @param provider                   the provider's routing name ({@code openai}, {@code anthropic}, ...), lower case
 * @param model                      the model id, lower case, without a date suffix where the price does not depend
 *                                   on it
 * @param aliases                    other ids that mean this model and price (e.g. {@code claude-sonnet-4-0})
 * @param mode                       what the model does
 * @param tokens                     token prices, for models billed by the token
 * @param microsPerImage             the price of one generated image (the size and quality the catalog notes)
 * @param microsPerAudioHour         the price of one hour of transcribed audio (vendors' per-minute prices are whole
 *                                   micro-USD per hour, not per second)
 * @param microsPerMillionCharacters the price of one million characters of synthesised speech
 * @param microsPerSearch            the price of one rerank search (Cohere bills a query with up to 100 documents as
 *                                   one search)
 * @param contextWindow              the most tokens the model takes, prompt and answer together
 * @param inputModalities            what it takes: {@code text}, {@code image}, {@code audio}
 * @param outputModalities           what it gives: {@code text}, {@code image}, {@code audio}, {@code embedding},
 *                                   {@code score}
 */
public record ModelEntry(String provider, String model, List<String> aliases, Mode mode, Optional<TokenPrice> tokens,
                         OptionalLong microsPerImage, OptionalLong microsPerAudioHour,
                         OptionalLong microsPerMillionCharacters, OptionalLong microsPerSearch,
                         OptionalLong contextWindow, List<String> inputModalities, List<String> outputModalities) {

    public enum Mode {
        CHAT, EMBEDDING, IMAGE_GENERATION, TRANSCRIPTION, SPEECH, RERANK;

        static Mode parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown mode '" + text + "'; one of chat, embedding,"
                        + " image_generation, transcription, speech, rerank");
            }
        }
    }

    /** @throws IllegalArgumentException if a name is blank, a price or the context window negative */
    public ModelEntry {
        provider = id(provider, "provider");
        model = id(model, "model");
        aliases = Objects.requireNonNull(aliases, "aliases").stream().map(a -> id(a, "alias")).toList();
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(tokens, "tokens");
        nonNegative(microsPerImage, "microsPerImage");
        nonNegative(microsPerAudioHour, "microsPerAudioHour");
        nonNegative(microsPerMillionCharacters, "microsPerMillionCharacters");
        nonNegative(microsPerSearch, "microsPerSearch");
        nonNegative(contextWindow, "contextWindow");
        inputModalities = List.copyOf(inputModalities);
        outputModalities = List.copyOf(outputModalities);
    }

    /** A chat model billed by the token, text in and out, nothing else known. */
    public static ModelEntry tokens(String provider, String model, TokenPrice price) {
        return builder(provider, model).tokens(price).build();
    }

    /** A chat model, text in and out, until told otherwise; no prices. */
    public static Builder builder(String provider, String model) {
        return new Builder(provider, model);
    }

    /** Collects the optional parts of an entry; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final String provider;
        private final String model;
        private List<String> aliases = List.of();
        private Mode mode = Mode.CHAT;
        private Optional<TokenPrice> tokens = Optional.empty();
        private OptionalLong microsPerImage = OptionalLong.empty();
        private OptionalLong microsPerAudioHour = OptionalLong.empty();
        private OptionalLong microsPerMillionCharacters = OptionalLong.empty();
        private OptionalLong microsPerSearch = OptionalLong.empty();
        private OptionalLong contextWindow = OptionalLong.empty();
        private List<String> inputModalities = List.of("text");
        private List<String> outputModalities = List.of("text");

        private Builder(String provider, String model) {
            this.provider = Objects.requireNonNull(provider, "provider");
            this.model = Objects.requireNonNull(model, "model");
        }

        public Builder aliases(String... names) {
            this.aliases = List.of(names);
            return this;
        }

        public Builder mode(Mode value) {
            this.mode = Objects.requireNonNull(value, "mode");
            return this;
        }

        public Builder tokens(TokenPrice price) {
            this.tokens = Optional.of(price);
            return this;
        }

        public Builder microsPerImage(long micros) {
            this.microsPerImage = OptionalLong.of(micros);
            return this;
        }

        public Builder microsPerAudioHour(long micros) {
            this.microsPerAudioHour = OptionalLong.of(micros);
            return this;
        }

        public Builder microsPerMillionCharacters(long micros) {
            this.microsPerMillionCharacters = OptionalLong.of(micros);
            return this;
        }

        public Builder microsPerSearch(long micros) {
            this.microsPerSearch = OptionalLong.of(micros);
            return this;
        }

        public Builder contextWindow(long tokens) {
            this.contextWindow = OptionalLong.of(tokens);
            return this;
        }

        public Builder inputModalities(String... modalities) {
            this.inputModalities = List.of(modalities);
            return this;
        }

        public Builder outputModalities(String... modalities) {
            this.outputModalities = List.of(modalities);
            return this;
        }

        /** @throws IllegalArgumentException if a name is blank, a price or the context window negative */
        public ModelEntry build() {
            return new ModelEntry(provider, model, aliases, mode, tokens, microsPerImage, microsPerAudioHour,
                    microsPerMillionCharacters, microsPerSearch, contextWindow, inputModalities, outputModalities);
        }
    }

    private static String id(String value, String what) {
        Objects.requireNonNull(value, what);
        String lower = value.strip().toLowerCase(Locale.ROOT);
        if (lower.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return lower;
    }

    private static void nonNegative(OptionalLong value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isPresent() && value.getAsLong() < 0) {
            throw new IllegalArgumentException(what + " must not be negative");
        }
    }
}
