-- wrk -s suggest.lua URL -- QUERIES.tsv...: GET /api/suggest?q=<prefix>, as
-- the search box asks while the dev queries are typed: every prefix of up to
-- 12 characters of each query, cycled.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local Q = require("queries")
local next_path

setup = Q.setup

function init(args)
  local paths = {}
  for _, q in ipairs(Q.load(args)) do
    local typed, n = "", 0
    for ch in q:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
      typed, n = typed .. ch, n + 1
      if n > 12 then break end
      paths[#paths + 1] = "/api/suggest?q=" .. Q.urlencode(typed)
    end
  end
  next_path = Q.cycle(paths)
end

function request()
  return wrk.format("GET", (next_path()))
end
