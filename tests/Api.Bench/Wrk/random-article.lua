-- tests/Api.Bench/Wrk/random-article.lua - GET /v1/articles/bench-article-<n> with n
-- drawn uniformly from 1..N in every request.
--
-- Usage: wrk ... -s random-article.lua http://127.0.0.1:PORT -- N
-- N may also come from the environment variable NEWSAPI_BENCH_ARTICLES.
-- tests/Api.Bench/Sql/generate.sql creates bench-article-1 .. bench-article-N as
-- visible articles, so every request should answer 200.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local count

function init(args)
   count = tonumber(args[1] or os.getenv("NEWSAPI_BENCH_ARTICLES") or "")
   if not count or count < 1 then
      io.stderr:write("random-article.lua: pass the number of articles after --\n")
      os.exit(2)
   end
   count = math.floor(count)
   seed_random()
end

function request()
   return wrk.format(nil, "/v1/articles/bench-article-" .. math.random(count))
end
