/**
 * The providers a deployment calls: {@link dev.smartflow.providers.ProviderRegistry} (resolves model names, owns the
 * shared HTTP plumbing), {@link dev.smartflow.providers.ProviderSettings} (one provider's key, base URL and deadlines)
 * and {@link dev.smartflow.providers.HttpTransport} with {@link dev.smartflow.providers.Deadline}, which adapters use
 * for their calls. One subpackage per wire protocol holds its adapter; what the adapters share, and nothing else uses,
 * is {@link dev.smartflow.providers.UpstreamHttp} (the steps of a call) and {@link dev.smartflow.providers.Scrubber}
 * (masking secrets in upstream messages). The model catalog (prices, context windows) is in
 * {@link dev.smartflow.providers.catalog}.
 *
 * <pre>{@code
 * try (ProviderRegistry providers = ProviderRegistry.fromEnvironment()) {
 *     Target target = providers.resolve("gpt-4o-mini"); // openai, from the model name
 * }
 * }</pre>
 */
package dev.smartflow.providers;
