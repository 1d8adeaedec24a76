package dev.smartflow.providers.deepgram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Translates between OpenAI's transcription shapes and Deepgram's pre-recorded {@code /v1/listen} answer
 * ({@code {"metadata":{"duration",...},"results":{"channels":[{"alternatives":[{"transcript","words"}],
 * "detected_language"}]}}}). Only channel 0 and its first alternative are read: the adapter asks for neither
 * {@code multichannel} nor {@code alternatives}, so there are no others. Stateless.
 */
final class DeepgramMapper {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DeepgramMapper() {
    }

    /** The answer shapes the adapter can build from Deepgram's answer. */
    enum Format {
        JSON, VERBOSE_JSON, TEXT;

        /**
         * The request's {@code response_format}, {@link #JSON} when absent.
         *
         * @throws InvalidRequest for {@code srt}, {@code vtt} or anything else
         */
        static Format of(JsonNode responseFormat) {
            if (responseFormat.isMissingNode() || responseFormat.isNull()) {
                return JSON;
            }
            String value = responseFormat.isTextual() ? responseFormat.textValue().strip().toLowerCase(Locale.ROOT)
                    : "";
            return switch (value) {
                case "json" -> JSON;
                case "verbose_json" -> VERBOSE_JSON;
                case "text" -> TEXT;
                default -> throw new InvalidRequest("Deepgram transcriptions support the response formats json,"
                        + " verbose_json and text", "invalid_request", "response_format");
            };
        }
    }

    /** The first alternative of channel 0; a missing node when the answer has none. */
    static JsonNode alternative(JsonNode answer) {
        return channel(answer).path("alternatives").path(0);
    }

    /** The transcript of the first alternative; empty when the answer has no transcript text. */
    static Optional<String> transcript(JsonNode answer) {
        JsonNode transcript = alternative(answer).path("transcript");
        return transcript.isTextual() ? Optional.of(transcript.textValue()) : Optional.empty();
    }

    /** OpenAI's {@code json} answer: {@code {"text", "usage"}}, usage left out when Deepgram gave no duration. */
    static ObjectNode toJson(JsonNode answer, String transcript) {
        ObjectNode out = NODES.objectNode();
        out.put("text", transcript);
        duration(answer).ifPresent(seconds -> out.set("usage", usage(seconds)));
        return out;
    }

    /**
     * OpenAI's {@code verbose_json} answer. The language is the one Deepgram detected, else the one the caller asked
     * for, else {@code unknown}; both are language codes ({@code en}) where OpenAI names the language
     * ({@code english}). Deepgram's words become OpenAI's, punctuated where Deepgram punctuated them; segments are
     * left empty, since building them would need Deepgram's {@code utterances}, which the adapter does not ask for.
     */
    static ObjectNode toVerboseJson(JsonNode answer, String transcript, Optional<String> requestedLanguage) {
        ObjectNode out = NODES.objectNode();
        out.put("task", "transcribe");
        out.put("language", text(channel(answer).path("detected_language")).or(() -> requestedLanguage)
                .orElse("unknown"));
        Optional<JsonNode> seconds = duration(answer);
        seconds.ifPresent(s -> out.set("duration", s.deepCopy()));
        out.put("text", transcript);
        ArrayNode words = out.putArray("words");
        for (JsonNode word : alternative(answer).path("words")) {
            ObjectNode entry = words.addObject();
            entry.put("word", text(word.path("punctuated_word")).or(() -> text(word.path("word"))).orElse(""));
            copyNumber(word, "start", entry);
            copyNumber(word, "end", entry);
        }
        out.putArray("segments");
        seconds.ifPresent(s -> out.set("usage", usage(s)));
        return out;
    }

    /**
     * The ids of Deepgram's model list ({@code {"stt":[...],"tts":[...]}}): each speech-to-text model's
     * {@code canonical_name} (its {@code name} when it has none), once each and in the list's order. A model comes
     * once per language it serves, hence the dedup.
     */
    static List<String> speechToTextModelIds(JsonNode stt) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode model : stt) {
            text(model.path("canonical_name")).or(() -> text(model.path("name"))).ifPresent(ids::add);
        }
        return List.copyOf(ids);
    }

    /** Deepgram's {@code metadata.duration} as it sent it, when it is a number of seconds. */
    private static Optional<JsonNode> duration(JsonNode answer) {
        JsonNode duration = answer.path("metadata").path("duration");
        return duration.isNumber() ? Optional.of(duration) : Optional.empty();
    }

    /** The usage the cost stage prices transcriptions by: seconds of audio. */
    private static ObjectNode usage(JsonNode seconds) {
        ObjectNode usage = NODES.objectNode();
        usage.put("type", "duration");
        usage.set("seconds", seconds.deepCopy());
        return usage;
    }

    private static JsonNode channel(JsonNode answer) {
        return answer.path("results").path("channels").path(0);
    }

    private static void copyNumber(JsonNode from, String field, ObjectNode to) {
        JsonNode value = from.path(field);
        if (value.isNumber()) {
            to.set(field, value.deepCopy());
        }
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.textValue().isBlank() ? Optional.of(node.textValue()) : Optional.empty();
    }
}
