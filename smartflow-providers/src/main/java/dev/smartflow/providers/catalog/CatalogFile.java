package dev.smartflow.providers.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smartflow.core.cost.TokenPrice;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads the catalog's JSON: {@code {"version", "source", "models": [...]}}, prices in USD as decimals
 * ({@code "input_per_1m": 0.15}), turned into micro-USD exactly (a price finer than a micro-USD is an error, not a
 * rounding). Numbers are read as {@link BigDecimal}, never through a double. Media prices: {@code per_image},
 * {@code per_audio_hour} (or {@code per_audio_minute} / {@code per_audio_second}, converted to the hour),
 * {@code per_1m_characters}, {@code per_search}.
 */
record CatalogFile(Optional<String> version, Optional<String> source, List<ModelEntry> models) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** @throws IllegalArgumentException naming {@code where} and the bad entry when the file is malformed */
    static CatalogFile read(InputStream in, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("models").isArray()) {
            throw new IllegalArgumentException(where + ": expected an object with a \"models\" array");
        }
        List<ModelEntry> models = new ArrayList<>();
        int index = 0;
        for (JsonNode node : root.path("models")) {
            try {
                models.add(entry(node));
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IllegalArgumentException(where + ": models[" + index + "] ("
                        + node.path("provider").asText("?") + "/" + node.path("model").asText("?") + "): "
                        + e.getMessage(), e);
            }
            index++;
        }
        return new CatalogFile(text(root, "version"), text(root, "source"), List.copyOf(models));
    }

    private static ModelEntry entry(JsonNode node) {
        String provider = text(node, "provider").orElseThrow(() -> new IllegalArgumentException("provider missing"));
        String model = text(node, "model").orElseThrow(() -> new IllegalArgumentException("model missing"));
        OptionalLong input = micros(node, "input_per_1m");
        Optional<TokenPrice> tokens = Optional.empty();
        if (input.isPresent()) {
            long in = input.getAsLong();
            tokens = Optional.of(TokenPrice.perMillion(in, micros(node, "cached_input_per_1m").orElse(in),
                    micros(node, "output_per_1m").orElse(0)));
        } else if (node.has("output_per_1m") || node.has("cached_input_per_1m")) {
            throw new IllegalArgumentException("token prices need input_per_1m");
        }
        OptionalLong context = node.has("context_window") ? OptionalLong.of(whole(node, "context_window"))
                : OptionalLong.empty();
        return new ModelEntry(provider, model, strings(node, "aliases"),
                ModelEntry.Mode.parse(text(node, "mode").orElse("chat")), tokens, micros(node, "per_image"),
                audioHour(node), micros(node, "per_1m_characters"), micros(node, "per_search"),
                context, strings(node, "input_modalities"), strings(node, "output_modalities"));
    }

    /** The price of an hour of audio from whichever of {@code per_audio_hour/minute/second} the entry gives. */
    private static OptionalLong audioHour(JsonNode node) {
        OptionalLong found = OptionalLong.empty();
        String[] fields = {"per_audio_hour", "per_audio_minute", "per_audio_second"};
        long[] perHour = {1, 60, 3600};
        for (int i = 0; i < fields.length; i++) {
            OptionalLong micros = micros(node, fields[i], perHour[i]);
            if (micros.isPresent()) {
                if (found.isPresent()) {
                    throw new IllegalArgumentException("give one of per_audio_hour, per_audio_minute,"
                            + " per_audio_second");
                }
                found = micros;
            }
        }
        return found;
    }

    private static OptionalLong micros(JsonNode node, String field) {
        return micros(node, field, 1);
    }

    /** A USD amount, times {@code factor}, as exact micro-USD. */
    private static OptionalLong micros(JsonNode node, String field, long factor) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return OptionalLong.empty();
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number of USD");
        }
        BigDecimal usd = value.decimalValue().multiply(BigDecimal.valueOf(factor));
        if (usd.signum() < 0) {
            throw new IllegalArgumentException(field + " must not be negative");
        }
        try {
            return OptionalLong.of(usd.movePointRight(6).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(field + " " + usd.toPlainString()
                    + " is finer than a micro-USD; give a price per more units");
        }
    }

    private static long whole(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (!value.canConvertToExactIntegral() || value.asLong() < 0) {
            throw new IllegalArgumentException(field + " must be a whole, non-negative number");
        }
        return value.asLong();
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.textValue().isBlank() ? Optional.of(value.textValue()) : Optional.empty();
    }

    private static List<String> strings(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException(field + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        value.forEach(v -> {
            if (!v.isTextual()) {
                throw new IllegalArgumentException(field + " must be a list of strings");
            }
            out.add(v.textValue());
        });
        return out;
    }
}
