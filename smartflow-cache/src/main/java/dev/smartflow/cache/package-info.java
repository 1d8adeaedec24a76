/**
 * Smartflow's semantic memory: text embeddings, one vector index, the 3-tier MetaCache on chat completions, and the
 * vector stores and RAG pipeline, registered with the server as a module and usable in-process.
 */
package dev.smartflow.cache;
