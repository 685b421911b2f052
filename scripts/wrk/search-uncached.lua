-- wrk -s search-uncached.lua URL -- QUERIES.tsv...: GET /api/search?q=<query>&size=<6..30>,
-- the queries cycled with a page size that changes each cycle, so no request
-- repeats within 25 cycles of the query list: every request misses the
-- results cache (of 512 pages), as unseen questions do.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local Q = require("queries")
local paths, i, n = {}, 0, 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("start", counter * 37)
end

function init(args)
  for _, q in ipairs(Q.load(args)) do
    paths[#paths + 1] = "/api/search?q=" .. Q.urlencode(q)
  end
  i = (start or 0) % #paths
end

function request()
  i = i % #paths + 1
  if i == 1 then n = n + 1 end
  return wrk.format("GET", paths[i] .. "&size=" .. (6 + n % 25))
end
