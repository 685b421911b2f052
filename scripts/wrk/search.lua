-- wrk -s search.lua URL -- QUERIES.tsv...: GET /api/search?q=<query>, queries cycled.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local Q = require("queries")
local paths, i = {}, 0
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
  return wrk.format("GET", paths[i])
end
