-- POSTs a small chat completion; KEY env var is the bearer token (run.sh sets it), MODEL the model (a chain's name
-- for run.sh's chain phase; gpt-4o-mini otherwise).
wrk.method = "POST"
wrk.body = '{"model":"' .. (os.getenv("MODEL") or "gpt-4o-mini") .. '","messages":[{"role":"user","content":"Say hello"}]}'
wrk.headers["Content-Type"] = "application/json"
-- every request is the same: without this the MetaCache would answer all but the first, and the load would measure it
wrk.headers["Cache-Control"] = "no-cache, no-store"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "sk-bench-master")
