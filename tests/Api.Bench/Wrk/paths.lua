-- tests/Api.Bench/Wrk/paths.lua - GET each of the paths given as arguments in turn
-- (just the URL's own path when none is given).
--
-- Usage: wrk ... -s paths.lua http://127.0.0.1:PORT -- /v1/articles?limit=20 [PATH...]
-- Paths go on the request line as they are: percent-encode them beforehand.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local next_request

function init(args)
   local requests = {}
   for _, path in ipairs(args) do
      table.insert(requests, wrk.format(nil, path))
   end
   if #requests == 0 then
      table.insert(requests, wrk.format(nil, wrk.path))
   end
   seed_random()
   next_request = rotation(requests)
end

function request()
   return next_request()
end
