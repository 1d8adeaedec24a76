/**
 * Vector stores and the RAG pipeline: {@link dev.smartflow.cache.rag.VectorStores} (stores of text files, chunked,
 * embedded in batches, kept in the {@link dev.smartflow.core.spi.Database} and searched by meaning on an in-memory
 * index rebuilt from it) and {@link dev.smartflow.cache.rag.Rag} (ingest a document, retrieve the chunks and a context
 * string that answer a question), in-process or over HTTP on the proxy port through
 * {@link dev.smartflow.cache.rag.VectorStoreRoutes}. Every store belongs to one tenant.
 */
package dev.smartflow.cache.rag;
