-- Fallback chains, one row each: the chain as the management API writes it (JSON), so that a new chain option needs
-- no migration.
CREATE TABLE routing_chains (
    name          VARCHAR NOT NULL PRIMARY KEY,
    definition    VARCHAR NOT NULL,
    updated_at_us BIGINT  NOT NULL
);
