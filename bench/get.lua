-- wrk script: GET one path as fast as the server answers; count statuses, report percentiles.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  local e = summary.errors
  io.write(string.format("bench: requests=%d duration_us=%d\n", summary.requests,
    summary.duration))
  io.write(string.format("bench: errors=%d,%d,%d,%d\n", e.connect, e.read, e.write, e.timeout))
  for status, n in pairs(totals) do
    io.write(string.format("bench: status %d=%d\n", status, n))
  end
  io.write(string.format("bench: p50_us=%d p99_us=%d\n", latency:percentile(50),
    latency:percentile(99)))
end
