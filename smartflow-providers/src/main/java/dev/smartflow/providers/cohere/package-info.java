/**
 * Cohere's v2 API: {@link dev.smartflow.providers.cohere.CohereProvider} serves OpenAI-shaped chat (streams
 * included) and embeddings for {@code command-*} and {@code embed-*} models by translation, Cohere's rerank in its own
 * shape, and model listing (package-private mapper, stream translator and error mapping).
 *
 * <pre>{@code
 * Provider cohere = new CohereProvider(ProviderSettings.of("cohere").withApiKey(key), transport);
 * }</pre>
 */
package dev.smartflow.providers.cohere;
