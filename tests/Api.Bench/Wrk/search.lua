-- tests/Api.Bench/Wrk/search.lua - full-text search: GET /v1/articles?q=<query>&limit=<limit>,
-- rotating among the queries of search-queries.txt (next to this script).
--
-- Usage: wrk ... -s search.lua http://127.0.0.1:PORT [-- LIMIT]   (LIMIT defaults to 20)

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local next_request

-- Queries, one a line; blank lines and lines starting with # are skipped.
function read_queries(file)
   local queries = {}
   local f = assert(io.open(file, "r"))
   for line in f:lines() do
      line = line:gsub("^%s+", ""):gsub("%s+$", "")
      if line ~= "" and line:sub(1, 1) ~= "#" then
         table.insert(queries, line)
      end
   end
   f:close()
   return queries
end

function init(args)
   local limit = tonumber(args[1] or "") or 20
   local requests = {}
   for _, q in ipairs(read_queries(dir .. "search-queries.txt")) do
      table.insert(requests, wrk.format(nil, "/v1/articles?q=" .. url_encode(q) .. "&limit=" .. limit))
   end
   if #requests == 0 then
      io.stderr:write("search.lua: no queries in " .. dir .. "search-queries.txt\n")
      os.exit(2)
   end
   seed_random()
   next_request = rotation(requests)
end

function request()
   return next_request()
end
