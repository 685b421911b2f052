-- wrk -s search-uncached.lua URL -- QUERIES.tsv...: GET /api/search?q=<query>&size=<6..29>,
-- the queries cycled with a page size that changes each cycle, even on the
-- first of two threads and odd on the second: no request repeats within 12
-- cycles of the query list, so (with -t1 or -t2) every request misses the
-- results cache (of 512 pages), as unseen questions do.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local Q = require("queries")
local next_path

setup = Q.setup

function init(args)
  next_path = Q.cycle(Q.search_paths(args, "&size="))
end

function request()
  local path, rounds = next_path()
  return wrk.format("GET", path .. (6 + (2 * rounds + (id or 0) % 2) % 24))
end
