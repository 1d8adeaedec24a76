package dev.smartflow.cache.embed;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.server.ServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which embedder to build: the {@code embedder} part of the cache module's configuration section.
 *
 * <pre>{@code
 * cache:
 *   embedder:
 *     type: onnx               # onnx (default, offline, in-process) or provider (an embeddings API via the pipeline)
 *     model: all-minilm-l6-v2-q  # provider: e.g. text-embedding-3-small (default)
 *     batch: 32                # texts grouped into one model run or one provider request
 *     threads: 2               # onnx: cores one run uses (default: all)
 *     tensor_batches: false    # onnx: run a group as one padded batch (faster, vectors vary slightly)
 *     dimensions: 1536         # provider: vector length, sent as the request's dimensions when set
 *     load_timeout: 60s        # onnx: how long a call waits for the model to load
 * }</pre>
 *
 * @param type          where vectors come from
 * @param model         the model's name
 * @param batch         the most texts grouped into one run or request
 * @param threads       onnx: the cores one run uses
 * @param tensorBatches onnx: whether a group runs as one padded batch
 * @param dimensions    provider: the vector length asked for; empty: the model's default, when known
 * @param loadTimeout   onnx: how long a call waits for the model to load
 */
public record EmbedderSettings(Type type, String model, int batch, int threads, boolean tensorBatches,
                               Optional<Integer> dimensions, Duration loadTimeout) {
    /** The provider model used when {@code type: provider} names none. */
    public static final String DEFAULT_PROVIDER_MODEL = "text-embedding-3-small";
    private static final Set<String> KEYS = Set.of("type", "model", "batch", "threads", "tensor_batches",
            "dimensions", "load_timeout");

    /** Where vectors come from. */
    public enum Type {
        /** {@link OnnxEmbedder}: the bundled model, in-process. */
        ONNX,
        /** {@link PipelineEmbedder}: a provider's embeddings API, called through the pipeline. */
        PROVIDER
    }

    public EmbedderSettings {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(dimensions, "dimensions");
        Objects.requireNonNull(loadTimeout, "loadTimeout");
        if (type == Type.ONNX && !model.equals(OnnxEmbedder.MODEL)) {
            throw new IllegalArgumentException("cache.embedder.model: the onnx embedder runs " + OnnxEmbedder.MODEL
                    + " only, not '" + model + "' (use type: provider for other models)");
        }
        if (model.isBlank()) {
            throw new IllegalArgumentException("cache.embedder.model must not be blank");
        }
        if (batch < 1 || batch > 1024) {
            throw new IllegalArgumentException("cache.embedder.batch must be between 1 and 1024, not " + batch);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("cache.embedder.threads must be at least 1, not " + threads);
        }
        if (dimensions.isPresent() && dimensions.get() < 1) {
            throw new IllegalArgumentException("cache.embedder.dimensions must be positive, not " + dimensions.get());
        }
        if (loadTimeout.isNegative() || loadTimeout.isZero()) {
            throw new IllegalArgumentException("cache.embedder.load_timeout must be positive");
        }
    }

    /** The default: the bundled ONNX model, batches of 32, every core. */
    public static EmbedderSettings defaults() {
        return new EmbedderSettings(Type.ONNX, OnnxEmbedder.MODEL, 32, Runtime.getRuntime().availableProcessors(),
                false, Optional.empty(), Duration.ofSeconds(60));
    }

    /**
     * Reads the {@code embedder} node of the cache section (missing: the defaults).
     *
     * @throws IllegalArgumentException naming the key at fault, for an unknown key or a bad value
     */
    public static EmbedderSettings from(JsonNode embedder) {
        if (embedder.isMissingNode() || embedder.isNull()) {
            return defaults();
        }
        if (!embedder.isObject()) {
            throw new IllegalArgumentException("cache.embedder must be a mapping");
        }
        List<String> unknown = new ArrayList<>();
        embedder.fieldNames().forEachRemaining(name -> {
            if (!KEYS.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("cache.embedder has unknown keys " + unknown + "; known: "
                    + KEYS.stream().sorted().toList());
        }
        EmbedderSettings d = defaults();
        String typeName = embedder.path("type").asText("onnx").strip().toLowerCase(Locale.ROOT);
        Type type = switch (typeName) {
            case "onnx" -> Type.ONNX;
            case "provider" -> Type.PROVIDER;
            default -> throw new IllegalArgumentException("cache.embedder.type must be onnx or provider, not '"
                    + typeName + "'");
        };
        String model = embedder.path("model").asText(type == Type.ONNX ? OnnxEmbedder.MODEL : DEFAULT_PROVIDER_MODEL)
                .strip();
        Optional<Integer> dimensions = embedder.has("dimensions")
                ? Optional.of(integer(embedder, "dimensions", 0)) : Optional.empty();
        Duration loadTimeout = embedder.has("load_timeout")
                ? ServerConfig.duration("cache.embedder.load_timeout", embedder.path("load_timeout").asText())
                : d.loadTimeout();
        return new EmbedderSettings(type, model, integer(embedder, "batch", d.batch()),
                integer(embedder, "threads", d.threads()), bool(embedder, "tensor_batches", d.tensorBatches()),
                dimensions, loadTimeout);
    }

    private static int integer(JsonNode node, String field, int fallback) {
        JsonNode value = node.path(field);
        if (value.isMissingNode()) {
            return fallback;
        }
        if (value.canConvertToInt() && value.isIntegralNumber()) {
            return value.intValue();
        }
        try {
            return Integer.parseInt(value.asText().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cache.embedder." + field + " must be a whole number, not '"
                    + value.asText() + "'");
        }
    }

    private static boolean bool(JsonNode node, String field, boolean fallback) {
        JsonNode value = node.path(field);
        if (value.isMissingNode()) {
            return fallback;
        }
        return switch (value.asText().strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("cache.embedder." + field + " must be true or false, not '"
                    + value.asText() + "'");
        };
    }
}
