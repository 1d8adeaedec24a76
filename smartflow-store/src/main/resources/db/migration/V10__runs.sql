-- The run (trace) each audited call belongs to: x-a2a-trace-id, else traceparent's trace id. NULL for records made
-- before traces were recorded. The trace view (GET /api/traces/{id}) reads a run's calls by it.
ALTER TABLE audit_log ADD COLUMN trace_id VARCHAR(512);
CREATE INDEX audit_log_trace_ts ON audit_log (trace_id, ts_us);
