-- One request in EVERY is for an object never asked before (base, base+1, ...); the others go to a hot set of
-- HOT objects (/p/0 .. /p/HOT-1) that the caller warmed first.   wrk ... -s mix.lua URL -- base every hot
local base, every, hot, n, fresh = 0, 10, 1000, 0, 0
function init(args)
  base = tonumber(args[1] or "0"); every = tonumber(args[2] or "10"); hot = tonumber(args[3] or "1000")
end
function request()
  n = n + 1
  local id
  if n % every == 0 then id = base + fresh; fresh = fresh + 1 else id = (n * 7919) % hot end
  return wrk.format(nil, "/p/" .. string.format("%d", id))
end
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
