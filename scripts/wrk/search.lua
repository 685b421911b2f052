-- wrk -s search.lua URL -- QUERIES.tsv...: GET /api/search?q=<query>, queries cycled.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local Q = require("queries")
local next_path

setup = Q.setup

function init(args)
  local paths = {}
  for _, q in ipairs(Q.load(args)) do
    paths[#paths + 1] = "/api/search?q=" .. Q.urlencode(q)
  end
  next_path = Q.cycle(paths)
end

function request()
  return wrk.format("GET", (next_path()))
end
