-- The A2A gateway's registered agents. The definition is the registry API's JSON (name, URL, who may call it, price),
-- so a new agent option needs no migration; the credentials arrive sealed by the gateway.

CREATE TABLE a2a_agents (
    id            VARCHAR NOT NULL PRIMARY KEY,
    definition    VARCHAR NOT NULL,
    secrets       VARCHAR NOT NULL,
    updated_at_us BIGINT  NOT NULL
);
