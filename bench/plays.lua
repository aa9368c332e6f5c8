-- Progress heartbeats for many play sessions, as players send them.
-- Arguments: a file of "session token" lines (sessions started beforehand).
-- Each request reports a played_ms no earlier request of that thread reported, so no
-- report is an idempotent duplicate: every one advances its session.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local sessions = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    local s, t = line:match("^(%S+) (%S+)$")
    if s then
      table.insert(sessions, { s, t })
    end
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  i = i + 1
  local s = sessions[(i % #sessions) + 1]
  local body = string.format(
    '{"event":"progress","session":"%s","token":"%s","played_ms":%d,"position_ms":1000,"rung":"128k"}',
    s[1], s[2], i * 4 + tid
  )
  return wrk.format(nil, "/api/plays", nil, body)
end
