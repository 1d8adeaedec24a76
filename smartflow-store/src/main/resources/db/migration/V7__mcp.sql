-- The MCP gateway: registered servers, key grants, access requests, the invocation log and per-user OAuth tokens.
-- Types and times as in V1 (VARCHAR, BIGINT microseconds since the epoch in _us columns). A server's definition is the
-- registry API's JSON, so a new server option needs no migration; secrets and tokens arrive sealed by the gateway.

CREATE TABLE mcp_servers (
    id            VARCHAR NOT NULL PRIMARY KEY,
    definition    VARCHAR NOT NULL,
    secrets       VARCHAR NOT NULL,
    updated_at_us BIGINT  NOT NULL
);

CREATE TABLE mcp_grants (
    key_id        VARCHAR NOT NULL,
    server_id     VARCHAR NOT NULL,
    tool          VARCHAR NOT NULL,
    granted_at_us BIGINT  NOT NULL,
    PRIMARY KEY (key_id, server_id, tool)
);

CREATE TABLE mcp_access_requests (
    id            VARCHAR NOT NULL PRIMARY KEY,
    key_id        VARCHAR NOT NULL,
    server_id     VARCHAR NOT NULL,
    tool          VARCHAR NOT NULL,
    reason        VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,
    created_at_us BIGINT  NOT NULL,
    decided_at_us BIGINT,
    note          VARCHAR
);

CREATE INDEX mcp_access_requests_key ON mcp_access_requests (key_id, created_at_us);

CREATE TABLE mcp_calls (
    id           VARCHAR NOT NULL PRIMARY KEY,
    trace_id     VARCHAR NOT NULL,
    at_us        BIGINT  NOT NULL,
    key_id       VARCHAR,
    tenant       VARCHAR NOT NULL,
    server_id    VARCHAR NOT NULL,
    tool         VARCHAR NOT NULL,
    method       VARCHAR NOT NULL,
    status       INTEGER NOT NULL,
    error        VARCHAR,
    cost_micros  BIGINT  NOT NULL,
    latency_us   BIGINT  NOT NULL
);

CREATE INDEX mcp_calls_at ON mcp_calls (at_us);
CREATE INDEX mcp_calls_key ON mcp_calls (key_id, at_us);

CREATE TABLE mcp_user_tokens (
    server_id     VARCHAR NOT NULL,
    subject       VARCHAR NOT NULL,
    sealed        VARCHAR NOT NULL,
    updated_at_us BIGINT  NOT NULL,
    PRIMARY KEY (server_id, subject)
);
