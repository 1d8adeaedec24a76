package dev.smartflow.core.cost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.core.model.Usage;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How many {@linkplain UnitPrice units} a media call uses: images, milliseconds of audio, characters, searches. The
 * cost stage counts what the answer reports ({@link #actual}); the budget stage holds what the request could use at
 * most ({@link #worstCase}). Stateless.
 *
 * <ul>
 *   <li>Images: the answer's {@code data} entries; at most the request's {@code n} (default 1).</li>
 *   <li>Transcriptions: the seconds the answer reports ({@code usage.seconds} of a {@code "duration"} usage, or a
 *       verbose answer's {@code duration}); at most the upload's length at {@value #MIN_AUDIO_BYTES_PER_SECOND} bytes
 *       a second (8 kbit/s, below any speech codec's usual rate).</li>
 *   <li>Speech: the characters of {@code input}, known before the call, so actual and worst case agree.</li>
 *   <li>Rerank: the searches the answer bills ({@code meta.billed_units.search_units}), else one search per 100
 *       documents, which is also the worst case.</li>
 * </ul>
 */
public final class MediaUnits {
    /** The lowest audio bitrate assumed when a transcription's worst case is estimated from its upload's size. */
    public static final long MIN_AUDIO_BYTES_PER_SECOND = 1_000;
    private static final int DOCUMENTS_PER_SEARCH = 100;

    private MediaUnits() {
    }

    /** The unit media operations are billed in; empty for operations billed by the token only. */
    public static Optional<UnitPrice.Unit> unitOf(Operation operation) {
        if (!(operation instanceof LlmOperation llm)) {
            return Optional.empty();
        }
        return Optional.ofNullable(switch (llm) {
            case IMAGES -> UnitPrice.Unit.IMAGE;
            case TRANSCRIPTIONS -> UnitPrice.Unit.AUDIO_HOUR;
            case SPEECH -> UnitPrice.Unit.MILLION_CHARACTERS;
            case RERANK -> UnitPrice.Unit.SEARCH;
            default -> null;
        });
    }

    /** The quantity the call used, as its answer tells; empty when the answer does not tell. */
    public static OptionalLong actual(Exchange exchange, JsonNode answer) {
        if (!(exchange.operation() instanceof LlmOperation llm)) {
            return OptionalLong.empty();
        }
        JsonNode request = exchange.body().json();
        return switch (llm) {
            case IMAGES -> answer.path("data").isArray() ? OptionalLong.of(answer.path("data").size())
                    : OptionalLong.empty();
            case TRANSCRIPTIONS -> audioMillis(answer);
            case SPEECH -> OptionalLong.of(characters(request));
            case RERANK -> {
                JsonNode billed = answer.path("meta").path("billed_units").path("search_units");
                yield billed.canConvertToLong() && billed.asLong() >= 0
                        ? OptionalLong.of(Math.min(billed.asLong(), Usage.MAX_COUNT))
                        : OptionalLong.of(searches(request));
            }
            default -> OptionalLong.empty();
        };
    }

    /** The most the call can use, from the request alone. */
    public static long worstCase(Exchange exchange) {
        if (!(exchange.operation() instanceof LlmOperation llm)) {
            return 0;
        }
        JsonNode request = exchange.body().json();
        return switch (llm) {
            case IMAGES -> {
                JsonNode n = request.path("n");
                yield n.canConvertToLong() && n.asLong() > 0 ? n.asLong() : 1;
            }
            case TRANSCRIPTIONS -> exchange.get(Upload.KEY)
                    // whole seconds, rounded up
                    .map(upload -> (upload.size() / MIN_AUDIO_BYTES_PER_SECOND + 1) * 1_000)
                    .orElse(0L);
            case SPEECH -> characters(request);
            case RERANK -> searches(request);
            default -> 0;
        };
    }

    private static OptionalLong audioMillis(JsonNode answer) {
        JsonNode usage = answer.path("usage");
        JsonNode seconds = "duration".equals(usage.path("type").asText()) ? usage.path("seconds")
                : answer.path("duration");
        if (seconds.isNumber() && seconds.asDouble() >= 0 && seconds.asDouble() < 1e9) {
            return OptionalLong.of(Math.round(seconds.asDouble() * 1_000));
        }
        return OptionalLong.empty();
    }

    private static long characters(JsonNode request) {
        String input = request.path("input").asText("");
        return input.codePointCount(0, input.length());
    }

    private static long searches(JsonNode request) {
        int documents = request.path("documents").size();
        return Math.max(1, (documents + DOCUMENTS_PER_SEARCH - 1) / DOCUMENTS_PER_SEARCH);
    }
}
