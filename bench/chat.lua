-- POSTs a small chat completion. Environment: KEY, the bearer token (run.sh sets it); MODEL, the model (a chain's
-- name for run.sh's chain phase; gpt-4o-mini otherwise); CACHE_CONTROL, the Cache-Control header (default
-- "no-cache, no-store"; empty sends none); UNIQUE=1 makes every request's prompt unique (PROMPT_PREFIX, then a counter).
local model = os.getenv("MODEL") or "gpt-4o-mini"
wrk.method = "POST"
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"Say hello"}]}'
wrk.headers["Content-Type"] = "application/json"
-- every request is the same: without this the MetaCache would answer all but the first, and the load would measure it
local cache_control = os.getenv("CACHE_CONTROL") or "no-cache, no-store"
if cache_control ~= "" then
  wrk.headers["Cache-Control"] = cache_control
end
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "sk-bench-master")

if os.getenv("UNIQUE") == "1" then
  -- wrk runs with one thread (-t1), so one counter numbers every request of the run
  local prefix = os.getenv("PROMPT_PREFIX") or "q"
  local counter = 0
  request = function()
    counter = counter + 1
    return wrk.format(nil, nil, nil, '{"model":"' .. model .. '","messages":[{"role":"user","content":"Say hello '
      .. prefix .. '-' .. counter .. '"}]}')
  end
end
