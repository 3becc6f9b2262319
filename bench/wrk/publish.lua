-- wrk script: PUT pre-generated npm publish bodies (each a new version), one body per request, never repeated.
-- usage: wrk -t2 -c8 -d10s -s publish.lua http://127.0.0.1:PORT -- BODIES_FILE TOKEN
-- BODIES_FILE lines are "PATH<TAB>JSON". Thread k of n takes lines k, k+n, k+2n, ... so no body is sent twice.
-- When a thread runs out of bodies it stops; the summary then says so (exhausted > 0).
local nthreads = 0
local all = {}

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(all, thread)
end

local bodies = {}
local paths = {}
local headers = {}
local i = 0
local exhausted = 0

function init(args)
  local n = 0
  local total = tonumber(args[3]) or 1
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    n = n + 1
    if (n - tid) % total == 0 then
      local tab = line:find("\t", 1, true)
      paths[#paths + 1] = line:sub(1, tab - 1)
      bodies[#bodies + 1] = line:sub(tab + 1)
    end
  end
  f:close()
  headers = { ["Authorization"] = "Bearer " .. args[2], ["Content-Type"] = "application/json",
              ["Accept"] = "application/json" }
end

function request()
  i = i + 1
  if i > #bodies then
    exhausted = 1
    wrk.thread:stop()
    i = #bodies
  end
  return wrk.format("PUT", paths[i], headers, bodies[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  local ex = 0
  for _, t in ipairs(all) do ex = ex + (t:get("exhausted") or 0) end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"mean_us":%.1f,"errors":%d,"non2xx":%d,"exhausted":%d}\n',
    summary.requests, summary.duration, summary.bytes, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write + e.timeout, e.status, ex))
end
