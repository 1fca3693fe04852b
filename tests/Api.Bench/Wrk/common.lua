-- tests/Api.Bench/Wrk/common.lua - shared by the wrk scripts of scripts/bench.
--
-- Loaded with dofile() by the case scripts. Provides:
--   setup(thread)      numbers the threads (wrk calls it in the main Lua state)
--   seed_random()      seeds math.random differently in every thread; call it from init()
--   rotation(list)     a function returning the elements of list in turn, starting
--                      at a random position (call after seed_random())
--   expect_status(n)   makes n (e.g. 304) the one expected status of this run, instead
--                      of any 2xx; call it from init(). A 200 then counts as a miss
--   response(...)      counts the responses whose status is not 2xx (wrk's own
--                      "Non-2xx or 3xx responses" line leaves out 1xx and 3xx), those
--                      with a status other than expected, and the misses
--   done(...)          prints one line for scripts/bench to parse, after wrk's own
--                      summary: "bench-result: " and a JSON object with
--                        duration_us, requests, bytes  wrk's totals of the run
--                        latency_us   min, mean, stdev, max and the percentiles
--                                     p50, p75, p90, p99, p99.9 (microseconds)
--                        errors       wrk's socket errors by kind (connect, read,
--                                     write, timeout) and status (its count of
--                                     answers with a status of 400 or more)
--                        responses, non2xx, unexpected, misses
--                                     the counters of response() below
--                        expected     "2xx", or the one status expected (e.g. "304")
--                        statuses     the unexpected responses by status, {"404": n, ...}
--                        cached       responses with an Age header: served from the
--                                     API's response cache

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_id", #threads)
end

function seed_random()
   -- thread_id is a global of this thread's Lua state, set by setup() before init().
   local id = thread_id or 0
   math.randomseed(os.time() * 1000 + id * 7919)
   -- The first values after seeding are poorly spread in some Lua versions.
   math.random(); math.random(); math.random()
end

function rotation(list)
   local i = math.random(#list) - 1
   return function()
      i = i % #list + 1
      return list[i]
   end
end

responses = 0
non2xx = 0
unexpected = 0
misses = 0
cached = 0
statuses = {}

-- nil: any 2xx is expected.
local expected = nil

function expect_status(code)
   expected = code
   -- done() runs in the main Lua state, where init() never ran: tell it through each thread.
   expected_status = code
end

function response(status, headers, body)
   responses = responses + 1
   if headers["Age"] or headers["age"] then
      cached = cached + 1
   end
   local ok
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
   if expected then
      ok = status == expected
      if status == 200 then
         misses = misses + 1
      end
   else
      ok = status >= 200 and status <= 299
   end
   if not ok then
      unexpected = unexpected + 1
      statuses[status] = (statuses[status] or 0) + 1
   end
end

-- A number as JSON (null for NaN and infinities, which JSON cannot carry).
local function json_number(v)
   if v == nil or v ~= v or v == math.huge or v == -math.huge then
      return "null"
   end
   if v == math.floor(v) and math.abs(v) < 2^53 then
      return string.format("%d", v)
   end
   return string.format("%.17g", v)
end

-- A flat table of numbers as a JSON object, keys in the order given.
local function json_object(keys, values)
   local parts = {}
   for _, key in ipairs(keys) do
      table.insert(parts, string.format("%q:%s", key, json_number(values[key])))
   end
   return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
   local total, bad, off, missed, hits, by_status, want = 0, 0, 0, 0, 0, {}, nil
   for _, thread in ipairs(threads) do
      total = total + (thread:get("responses") or 0)
      hits = hits + (thread:get("cached") or 0)
      bad = bad + (thread:get("non2xx") or 0)
      off = off + (thread:get("unexpected") or 0)
      missed = missed + (thread:get("misses") or 0)
      want = want or thread:get("expected_status")
      local counts = thread:get("statuses")
      if type(counts) == "table" then
         for code, n in pairs(counts) do
            by_status[code] = (by_status[code] or 0) + n
         end
      end
   end
   local codes = {}
   for code in pairs(by_status) do table.insert(codes, code) end
   table.sort(codes)
   local statuses = {}
   for _, code in ipairs(codes) do
      table.insert(statuses, string.format('"%d":%s', code, json_number(by_status[code])))
   end
   local latency_us = {
      min = latency.min, mean = latency.mean, stdev = latency.stdev, max = latency.max,
      p50 = latency:percentile(50), p75 = latency:percentile(75), p90 = latency:percentile(90),
      p99 = latency:percentile(99), ["p99.9"] = latency:percentile(99.9),
   }
   io.write("bench-result: {",
      '"duration_us":', json_number(summary.duration),
      ',"requests":', json_number(summary.requests),
      ',"bytes":', json_number(summary.bytes),
      ',"latency_us":', json_object({ "min", "mean", "stdev", "max", "p50", "p75", "p90", "p99", "p99.9" }, latency_us),
      ',"errors":', json_object({ "connect", "read", "write", "timeout", "status" }, summary.errors),
      ',"responses":', json_number(total),
      ',"non2xx":', json_number(bad),
      ',"unexpected":', json_number(off),
      ',"misses":', json_number(missed),
      ',"cached":', json_number(hits),
      ',"expected":"', want and tostring(want) or "2xx", '"',
      ',"statuses":{', table.concat(statuses, ","), "}",
      "}\n")
end

-- Percent-encodes a query-string value (RFC 3986 unreserved characters stay as they are).
function url_encode(s)
   return (s:gsub("[^A-Za-z0-9%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end
