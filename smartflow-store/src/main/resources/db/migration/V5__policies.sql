-- The policy library (policies, presets and their ordered members, assignments, applied counters) and the
-- document-to-policy jobs with their suggestions. Types as in V1: VARCHAR without a length, times as BIGINT
-- microseconds (_us), lists and the targeting metadata as JSON text (read and written whole, never queried by element).

CREATE TABLE policies (
    id                   VARCHAR NOT NULL PRIMARY KEY,
    name                 VARCHAR NOT NULL,
    description          VARCHAR NOT NULL,
    policy_type          VARCHAR NOT NULL,
    content              VARCHAR NOT NULL,
    priority             INTEGER NOT NULL,
    applicable_providers VARCHAR NOT NULL,
    applicable_models    VARCHAR NOT NULL,
    regulatory_framework VARCHAR,
    severity             VARCHAR NOT NULL,
    action               VARCHAR NOT NULL,
    targeting            VARCHAR NOT NULL,
    detectors            VARCHAR NOT NULL,
    active               BOOLEAN NOT NULL,
    created_at_us        BIGINT  NOT NULL,
    updated_at_us        BIGINT  NOT NULL
);

CREATE TABLE policy_presets (
    id            VARCHAR NOT NULL PRIMARY KEY,
    name          VARCHAR NOT NULL,
    description   VARCHAR NOT NULL,
    use_case      VARCHAR NOT NULL,
    created_at_us BIGINT  NOT NULL,
    updated_at_us BIGINT  NOT NULL
);

-- A preset's policies in order; a deleted policy leaves every preset with one DELETE.
CREATE TABLE policy_preset_members (
    preset_id VARCHAR NOT NULL,
    position  INTEGER NOT NULL,
    policy_id VARCHAR NOT NULL,
    PRIMARY KEY (preset_id, position),
    CONSTRAINT policy_preset_members_once UNIQUE (preset_id, policy_id)
);

CREATE INDEX policy_preset_members_policy ON policy_preset_members (policy_id);

-- scope: global, key, owner, team, role or tag; target '' for global. kind: PRESET or POLICY.
CREATE TABLE policy_assignments (
    id            VARCHAR NOT NULL PRIMARY KEY,
    scope         VARCHAR NOT NULL,
    target        VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    subject_id    VARCHAR NOT NULL,
    created_at_us BIGINT  NOT NULL,
    CONSTRAINT policy_assignments_once UNIQUE (scope, target, kind, subject_id)
);

CREATE INDEX policy_assignments_subject ON policy_assignments (kind, subject_id);

-- Totals every instance adds its own counts to (applications, violations, ...).
CREATE TABLE policy_counters (
    name  VARCHAR NOT NULL PRIMARY KEY,
    total BIGINT  NOT NULL
);

-- lease_owner / lease_until_us: the instance working on the job and until when, so that another instance (or the
-- same one after a restart) can take an abandoned job over.
CREATE TABLE policy_jobs (
    id             VARCHAR NOT NULL PRIMARY KEY,
    filename       VARCHAR NOT NULL,
    format         VARCHAR NOT NULL,
    model          VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,
    progress_pct   INTEGER NOT NULL,
    error          VARCHAR,
    pages          INTEGER NOT NULL,
    chunks_total   INTEGER NOT NULL,
    chunks_done    INTEGER NOT NULL,
    truncated      BOOLEAN NOT NULL,
    lease_owner    VARCHAR,
    lease_until_us BIGINT,
    created_at_us  BIGINT  NOT NULL,
    updated_at_us  BIGINT  NOT NULL
);

CREATE INDEX policy_jobs_created ON policy_jobs (created_at_us);

CREATE TABLE policy_suggestions (
    job_id               VARCHAR NOT NULL,
    id                   VARCHAR NOT NULL,
    position             INTEGER NOT NULL,
    name                 VARCHAR NOT NULL,
    policy_type          VARCHAR NOT NULL,
    content              VARCHAR NOT NULL,
    priority             INTEGER NOT NULL,
    regulatory_framework VARCHAR,
    confidence           DOUBLE PRECISION NOT NULL,
    accepted_policy_id   VARCHAR,
    PRIMARY KEY (job_id, id)
);
