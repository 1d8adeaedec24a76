-- Vector stores, their files and their chunks (text and vector).
--
-- Same rules as V1: one text for H2 and PostgreSQL, times in BIGINT microseconds (_us), metadata as JSON text. A vector
-- is BYTEA (both databases accept the name): its floats as IEEE 754, little-endian. Files belong to a store and chunks
-- to a file, both ON DELETE CASCADE, so deleting a store or a file leaves nothing behind and a file can never be added
-- to a store deleted meanwhile. Writers lock in one order, store, then file, then chunks, so they cannot deadlock.

CREATE TABLE vector_stores (
    id              VARCHAR NOT NULL PRIMARY KEY,
    tenant          VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    description     VARCHAR NOT NULL,
    metadata        VARCHAR NOT NULL,
    embedding_model VARCHAR NOT NULL,
    file_count      INTEGER NOT NULL,
    version         BIGINT  NOT NULL,
    created_at_us   BIGINT  NOT NULL
);

CREATE INDEX vector_stores_tenant ON vector_stores (tenant, created_at_us);

CREATE TABLE vector_store_files (
    id              VARCHAR NOT NULL PRIMARY KEY,
    store_id        VARCHAR NOT NULL REFERENCES vector_stores (id) ON DELETE CASCADE,
    filename        VARCHAR NOT NULL,
    metadata        VARCHAR NOT NULL,
    size_bytes      BIGINT  NOT NULL,
    chunk_count     INTEGER NOT NULL,
    chunks_embedded INTEGER NOT NULL,
    status          VARCHAR NOT NULL,
    last_error      VARCHAR,
    created_at_us   BIGINT  NOT NULL,
    updated_at_us   BIGINT  NOT NULL
);

CREATE INDEX vector_store_files_store ON vector_store_files (store_id, created_at_us);
CREATE INDEX vector_store_files_status ON vector_store_files (status, updated_at_us);

CREATE TABLE vector_store_chunks (
    file_id     VARCHAR NOT NULL REFERENCES vector_store_files (id) ON DELETE CASCADE,
    chunk_index INTEGER NOT NULL,
    store_id    VARCHAR NOT NULL,
    content     VARCHAR NOT NULL,
    vector      BYTEA   NOT NULL,
    PRIMARY KEY (file_id, chunk_index)
);

CREATE INDEX vector_store_chunks_store ON vector_store_chunks (store_id);
