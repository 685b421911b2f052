-- wrk -s search-page.lua URL -- QUERIES.tsv...: GET /search?q=<query> (the
-- results page, with its answer box), queries cycled.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local Q = require("queries")
local next_path

setup = Q.setup

function init(args)
  next_path = Q.cycle(Q.search_paths(args, nil, "/search"))
end

function request()
  return wrk.format("GET", (next_path()))
end
