-- wrk script for the TSGI benchmarks. Environment:
--   BENCH_POST_BYTES  > 0: send POST requests with a body of that many bytes
--   BENCH_STOP_AFTER  > 0: after that many responses a thread stops and prints "BENCH_STOPPED";
--                     wrk itself sleeps out its duration, so lib/wrk.mjs then sends it SIGINT
--                     (wrk stops early on SIGINT and still prints its summary)
-- Prints one line "BENCH_JSON {...}" with the summary and latency percentiles (microseconds).
local post = tonumber(os.getenv("BENCH_POST_BYTES") or "0") or 0
if post > 0 then
  wrk.method = "POST"
  wrk.body = string.rep("x", post)
  wrk.headers["Content-Type"] = "application/octet-stream"
end

local stop_after = tonumber(os.getenv("BENCH_STOP_AFTER") or "0") or 0
if stop_after > 0 then
  local seen = 0
  function response(status, headers, body)
    seen = seen + 1
    if seen >= stop_after then
      wrk.thread:stop()
      io.write("BENCH_STOPPED\n")
      io.flush()
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
