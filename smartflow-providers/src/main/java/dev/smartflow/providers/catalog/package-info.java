/**
 * The model catalog: {@link dev.smartflow.providers.catalog.ModelCatalog}, prices, context windows and modalities per
 * provider and model, from a versioned list bundled in this module and overridable per deployment; one
 * {@link dev.smartflow.providers.catalog.ModelEntry} per model. The catalog is the
 * {@link dev.smartflow.core.cost.Pricing} the cost stage bills by.
 *
 * <pre>{@code
 * ModelCatalog catalog = ModelCatalog.bundled();
 * Optional<TokenPrice> price = catalog.price("anthropic", "claude-sonnet-4-5-20250929");
 * }</pre>
 */
package dev.smartflow.providers.catalog;
