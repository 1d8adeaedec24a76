-- Each audited call's provider attempts (target, status, error, latency) as a JSON array; NULL when none was made.
ALTER TABLE audit_log ADD COLUMN attempts VARCHAR;
