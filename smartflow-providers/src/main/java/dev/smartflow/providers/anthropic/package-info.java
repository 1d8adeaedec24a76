/**
 * Anthropic's Messages protocol: {@link dev.smartflow.providers.anthropic.AnthropicProvider} serves OpenAI-shaped chat
 * calls to {@code claude-*} models by translation (package-private mapper and stream translator), and native
 * {@code /v1/messages} calls untouched. {@link dev.smartflow.providers.anthropic.AnthropicProtocol} is the same
 * protocol over another host of Claude (Vertex AI's {@code rawPredict}).
 *
 * <pre>{@code
 * Provider anthropic = new AnthropicProvider(ProviderSettings.of("anthropic").withApiKey(key), transport);
 * }</pre>
 */
package dev.smartflow.providers.anthropic;
