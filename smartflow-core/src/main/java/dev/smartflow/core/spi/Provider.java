package dev.smartflow.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import java.util.List;

/**
 * Speaks one provider's wire protocol, and nothing else: translate the exchange, call the upstream, translate the
 * answer (streams included). Authentication, budgets, routing, retries and logging are stages, not provider concerns.
 *
 * <p>Implementations are thread-safe and shared by all calls. {@link #call} blocks until the upstream answers (for a
 * stream: until the response headers arrive); run it on a virtual thread.
 *
 * <pre>{@code
 * Response answer = provider.call(exchange, "gpt-4o-mini");
 * }</pre>
 */
public interface Provider {
    /** The routing name, e.g. {@code openai}, {@code groq}: the prefix in {@code groq/llama-3.3-70b}. */
    String name();

    /** True when the provider is configured to take calls (it has a key, or needs none). */
    boolean available();

    /**
     * Serves one attempt.
     *
     * @param exchange the call, body in OpenAI's shape
     * @param model    the model name the upstream knows (routing prefix already stripped)
     * @return the answer in OpenAI's shape, {@link Response.Streamed} when the exchange asked for a stream
     * @throws dev.smartflow.core.error.UpstreamFailure when the upstream fails, times out or answers garbage
     */
    Response call(Exchange exchange, String model);

    /**
     * The upstream's model list, each entry an OpenAI model object ({@code id}, {@code object}, {@code owned_by}).
     *
     * @throws dev.smartflow.core.error.UpstreamFailure when the upstream cannot be asked
     */
    List<JsonNode> models();
}
