package dev.smartflow.providers.sse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import java.io.IOException;

/**
 * Checks that an event's data is one JSON object before it is relayed. Relayed chunks stay bytes (nothing parses them
 * on the way through), so without this check a proxy's garbage line ({@code data: not-json}) or a chunk cut short
 * would reach an OpenAI or Anthropic client verbatim under a 200, where its SDK fails to parse it. Tokenising without
 * building a tree costs about a microsecond for a typical chunk.
 */
public final class JsonData {
    private JsonData() {
    }

    /**
     * @throws UpstreamFailure if {@code data} is not exactly one JSON object
     */
    public static void requireObject(String provider, byte[] data) {
        try (JsonParser parser = Body.MAPPER.getFactory().createParser(data)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                parser.skipChildren();
                if (parser.nextToken() == null) {
                    return;
                }
            }
        } catch (IOException e) {
            // fall through: malformed, and its text may be a prompt, so it is not quoted
        }
        throw UpstreamFailure.io(provider, "the upstream sent a stream chunk that is not a JSON object", null);
    }
}
