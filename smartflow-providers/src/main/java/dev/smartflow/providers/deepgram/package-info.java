/**
 * Deepgram's speech-to-text API: {@link dev.smartflow.providers.deepgram.DeepgramProvider} serves OpenAI-shaped
 * audio transcriptions from Deepgram's pre-recorded {@code /v1/listen} endpoint, streaming the upload as the request
 * body, and lists Deepgram's speech-to-text models (package-private mapper and error mapping).
 *
 * <pre>{@code
 * Provider deepgram = new DeepgramProvider(ProviderSettings.of("deepgram").withApiKey(key), transport);
 * }</pre>
 */
package dev.smartflow.providers.deepgram;
