-- Indexes for the analytics of a time range (AuditLog.analytics), which the management API asks for over days or
-- weeks of the audit log.
--
-- Each leads with ts_us, so a range is one index range scan, and carries every column its query reads, so that
-- PostgreSQL answers the query from the index alone (an index-only scan) instead of visiting a heap row per request:
-- the latency percentiles read (ts_us, latency_us); the top keys and top users read (ts_us, <caller>, cost_micros).
-- The by-provider, by-model and by-day figures read half the row (status, cached, tokens, cost, provider, model), so
-- an index covering them would double the table; they use audit_log_ts from V1 (or a sequential scan when the range
-- is most of the table, which PostgreSQL then prefers anyway).
--
-- Each index costs the batched audit writer one more index entry per record; the writer is off the request path.

CREATE INDEX audit_log_ts_latency ON audit_log (ts_us, latency_us);
CREATE INDEX audit_log_ts_key_cost ON audit_log (ts_us, key_id, cost_micros);
CREATE INDEX audit_log_ts_user_cost ON audit_log (ts_us, user_id, cost_micros);
