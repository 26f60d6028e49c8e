-- wrk script: POST a sign form with a unique email per request, then drain.
--
-- Arguments (after `--`): path, cookie, form prefix (everything before the email, already
-- url-encoded), form suffix (everything after it), run tag, deadline (Unix seconds).
-- Until the deadline each connection signs as fast as the server answers; after it no new
-- request is sent, so every request that was sent is answered before wrk stops. That is what
-- lets run.py compare rows written with successful responses exactly.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  path, cookie, prefix, suffix, tag = args[1], args[2], args[3], args[4], args[5]
  deadline = tonumber(args[6])
  sent, answered, statuses = 0, 0, {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  if cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
end

function delay()
  -- Past the deadline: park the connection for an hour (wrk stops long before).
  if os.time() >= deadline then
    return 3600000
  end
  return 0
end

function request()
  sent = sent + 1
  local email = "s" .. tag .. "." .. id .. "." .. sent .. "%40example.org"
  return wrk.format(nil, path, nil, prefix .. email .. suffix)
end

function response(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total_sent, total_answered, totals = 0, 0, {}
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_answered = total_answered + thread:get("answered")
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  -- wrk calls request() once on the first thread's state to check the script; not sent.
  total_sent = total_sent - 1
  local e = summary.errors
  io.write(string.format("bench: sent=%d answered=%d\n", total_sent, total_answered))
  io.write(string.format("bench: errors=%d,%d,%d,%d\n", e.connect, e.read, e.write, e.timeout))
  for status, n in pairs(totals) do
    io.write(string.format("bench: status %d=%d\n", status, n))
  end
  io.write(string.format("bench: p50_us=%d p99_us=%d\n", latency:percentile(50),
    latency:percentile(99)))
end
