-- wrk script: GET a rotating list of paths with a fixed Accept header; prints one JSON line of figures at the end.
-- usage: wrk -t2 -c64 -d12s -s read.lua http://127.0.0.1:PORT -- PATHS_FILE [ACCEPT [ACCEPT_ENCODING]]
local threads = {}
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

local paths = {}
local headers = { ["Accept"] = "application/json" }
local i = 0

function init(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  f:close()
  if args[2] then headers["Accept"] = args[2] end
  if args[3] and #args[3] > 0 then headers["Accept-Encoding"] = args[3] end
  -- threads start at different points of the list
  i = ((tid or 1) * 7919) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"mean_us":%.1f,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, summary.bytes, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write + e.timeout, e.status))
end
