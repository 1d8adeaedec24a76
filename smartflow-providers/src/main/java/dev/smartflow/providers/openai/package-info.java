/**
 * OpenAI's wire protocol, spoken by OpenAI and the compatible APIs (Azure OpenAI, Groq, Mistral, xAI, OpenRouter,
 * Together, Fireworks, Perplexity, NVIDIA NIM, Hugging Face, Novita, Vercel AI Gateway, DeepInfra, Ollama, ...):
 * {@link dev.smartflow.providers.openai.OpenAiProvider}, with package-private stream reading and error mapping over the
 * shared {@link dev.smartflow.providers.sse.SseDecoder}. Bodies pass through untouched, so there is nothing to
 * translate.
 *
 * <pre>{@code
 * Provider mistral = new OpenAiProvider(ProviderSettings.of("mistral").withApiKey(key), transport);
 * }</pre>
 */
package dev.smartflow.providers.openai;
