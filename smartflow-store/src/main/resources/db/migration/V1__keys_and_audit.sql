-- Virtual keys, their spend per budget period, and the audit log.
--
-- One file for H2 (in PostgreSQL mode) and PostgreSQL, so only what both accept: VARCHAR without a length (unbounded
-- in PostgreSQL, 1,000,000 characters in H2), BIGINT, INTEGER, BOOLEAN, DOUBLE PRECISION. Money is BIGINT micro-USD.
-- Times are BIGINT microseconds since the epoch (UTC), columns suffixed _us: both databases store and compare them
-- identically with no session time zone in play, they keep the microsecond the records keep, and a range or a
-- bucket (ts_us / 86400000000 for a day) is plain integer arithmetic on an index. Collections (allowed providers,
-- tags, compliance flags) are JSON text: they are read and written whole, never queried by element.

CREATE TABLE virtual_keys (
    id                VARCHAR NOT NULL PRIMARY KEY,
    name              VARCHAR NOT NULL,
    owner_id          VARCHAR NOT NULL,
    token_hash        VARCHAR NOT NULL,
    allowed_providers VARCHAR NOT NULL,
    budget_micros     BIGINT,
    budget_period     VARCHAR NOT NULL,
    tpm_limit         BIGINT,
    rpm_limit         BIGINT,
    tags              VARCHAR NOT NULL,
    active            BOOLEAN NOT NULL,
    created_at_us     BIGINT  NOT NULL,
    last_used_us      BIGINT,
    CONSTRAINT virtual_keys_token_hash_unique UNIQUE (token_hash)
);

CREATE INDEX virtual_keys_owner ON virtual_keys (owner_id, created_at_us);
CREATE INDEX virtual_keys_created ON virtual_keys (created_at_us);

-- One running total per key and period key (e.g. 2026-11); no foreign key: spend outlives its key's revocation and
-- is recorded even for a key this instance has not seen yet.
CREATE TABLE key_spend (
    key_id     VARCHAR NOT NULL,
    period_key VARCHAR NOT NULL,
    micros     BIGINT  NOT NULL,
    PRIMARY KEY (key_id, period_key)
);

CREATE TABLE audit_log (
    request_id        VARCHAR NOT NULL PRIMARY KEY,
    ts_us             BIGINT  NOT NULL,
    key_id            VARCHAR,
    user_id           VARCHAR,
    org_id            VARCHAR,
    team_id           VARCHAR,
    route             VARCHAR NOT NULL,
    provider          VARCHAR NOT NULL,
    model             VARCHAR NOT NULL,
    prompt_tokens     BIGINT  NOT NULL,
    completion_tokens BIGINT  NOT NULL,
    cost_micros       BIGINT  NOT NULL,
    cached            BOOLEAN NOT NULL,
    hit_type          VARCHAR,
    compliance_score  DOUBLE PRECISION,
    compliance_flags  VARCHAR NOT NULL,
    latency_us        BIGINT  NOT NULL,
    status            INTEGER NOT NULL,
    error             VARCHAR
);

-- Newest-first pages and time-range summaries; the same filtered by provider or by key.
CREATE INDEX audit_log_ts ON audit_log (ts_us);
CREATE INDEX audit_log_provider_ts ON audit_log (provider, ts_us);
CREATE INDEX audit_log_key_ts ON audit_log (key_id, ts_us);
