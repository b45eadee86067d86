-- wrk script for `make bench`: replays pre-generated signed requests from a file, one per line
-- ("<X-Twilio-Signature>\t<form body>"), each wrk thread taking every n-th line so that no two threads send
-- the same request. A thread that runs out of requests starts again from its first one (counted as `wrapped`:
-- the bench reports it, since a replayed MessageSid is a duplicate the gateway answers without storing).
-- Usage: wrk -t T -c C -d D -s replay.lua URL -- <requests file> <path> <T>

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, path, count = args[1], args[2], tonumber(args[3])
  requests = {}
  local line_number = 0
  for line in io.lines(file) do
    if line_number % count == id then
      local signature, body = line:match("^([^\t]*)\t(.*)$")
      local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
      if signature ~= "" then headers["X-Twilio-Signature"] = signature end
      requests[#requests + 1] = wrk.format("POST", path, headers, body)
    end
    line_number = line_number + 1
  end
  index = 0
  wrapped = 0
end

function request()
  index = index + 1
  if index > #requests then
    index = 1
    wrapped = wrapped + 1
  end
  return requests[index]
end

function done(summary, latency, requests)
  local wraps = 0
  for _, thread in ipairs(threads) do wraps = wraps + thread:get("wrapped") end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d socket_errors=%d status_errors=%d wrapped=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status, wraps,
    latency:percentile(50), latency:percentile(99)))
end
