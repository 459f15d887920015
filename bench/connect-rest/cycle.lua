-- wrk script (one connection per thread): POST /connectors, and after its 201 DELETE that
-- connector, so every pair is one full create/delete cycle (validate, start the task, persist;
-- stop the task, persist). Non-2xx answers are counted and the first few printed.
local counter = 0
local next_thread = 0
local posted = nil
local to_delete = nil
local reported = 0
thread_id = 0  -- a global, so thread:set() reaches it in each thread's Lua state

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function request()
  if to_delete then
    local name = to_delete
    to_delete = nil
    return wrk.format("DELETE", "/connectors/" .. name)
  end
  counter = counter + 1
  posted = "cycle-" .. thread_id .. "-" .. counter
  local body = '{"name":"' .. posted .. '","config":{"connector.class":"FileStreamSink","topics":"bench",' ..
               '"file":"' .. os.getenv("BENCH_SINK_FILE") .. '","tasks.max":"1"}}'
  return wrk.format("POST", "/connectors", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 201 then to_delete = posted end
  if status >= 300 and reported < 3 then
    reported = reported + 1
    io.stderr:write("non-2xx " .. status .. ": " .. body .. "\n")
  end
end

done = function(summary, latency, requests)
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
