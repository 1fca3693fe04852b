-- tests/Api.Bench/Wrk/paths-file.lua - GET the paths listed in a file in turn (each thread
-- starting at a random line), optionally as conditional requests.
--
-- Usage: wrk ... -s paths-file.lua http://127.0.0.1:PORT -- FILE [if-none-match]
-- FILE has one request a line: the path (percent-encoded, as it goes on the request
-- line), then optionally whitespace and an ETag exactly as the server sent it. With
-- if-none-match, every request carries its line's ETag in If-None-Match and 304 is the
-- one expected status: a 200 counts as a miss (common.lua). scripts/bench writes FILE
-- from the ETags it fetched just before the case.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local next_request

function init(args)
   local file, mode = args[1], args[2]
   if not file then
      io.stderr:write("paths-file.lua: pass the file of paths after --\n")
      os.exit(2)
   end
   local conditional = mode == "if-none-match"
   if mode and not conditional then
      io.stderr:write("paths-file.lua: unknown option '" .. mode .. "' (only if-none-match)\n")
      os.exit(2)
   end
   local requests = {}
   local f = assert(io.open(file, "r"))
   for line in f:lines() do
      local path, etag = line:match("^(%S+)%s*(.-)%s*$")
      if path then
         if conditional then
            if etag == "" then
               io.stderr:write("paths-file.lua: no ETag for " .. path .. " in " .. file .. "\n")
               os.exit(2)
            end
            table.insert(requests, wrk.format(nil, path, { ["If-None-Match"] = etag }))
         else
            table.insert(requests, wrk.format(nil, path))
         end
      end
   end
   f:close()
   if #requests == 0 then
      io.stderr:write("paths-file.lua: no paths in " .. file .. "\n")
      os.exit(2)
   end
   if conditional then
      expect_status(304)
   end
   seed_random()
   next_request = rotation(requests)
end

function request()
   return next_request()
end
