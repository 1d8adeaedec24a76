/**
 * Text embeddings: {@link dev.smartflow.cache.embed.OnnxEmbedder} (the bundled all-MiniLM-L6-v2 model, offline, in
 * process), {@link dev.smartflow.cache.embed.PipelineEmbedder} (a provider's embeddings API through the pipeline), and
 * {@link dev.smartflow.cache.embed.Embedders}, which builds the configured one and shares it within a process.
 */
package dev.smartflow.cache.embed;
