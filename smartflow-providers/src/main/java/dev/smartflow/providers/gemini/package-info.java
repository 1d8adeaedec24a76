/**
 * Google's Gemini API: {@link dev.smartflow.providers.gemini.GeminiProvider} serves OpenAI-shaped chat (streams
 * included), embeddings and model listing for {@code gemini-*} models by translation (package-private mapper, stream
 * translator and error mapping). {@link dev.smartflow.providers.gemini.GeminiProtocol} is the same protocol over any
 * endpoint that speaks it, for Vertex AI's adapter.
 *
 * <pre>{@code
 * Provider gemini = new GeminiProvider(ProviderSettings.of("gemini").withApiKey(key), transport, true);
 * }</pre>
 */
package dev.smartflow.providers.gemini;
