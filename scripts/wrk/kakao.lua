-- wrk -s kakao.lua URL -- QUERIES.tsv...: POST /kakao/skill, utterances cycled.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local Q = require("queries")
local next_body

setup = Q.setup

function init(args)
  local bodies = {}
  for n, q in ipairs(Q.load(args)) do
    bodies[#bodies + 1] = '{"intent":{"id":"load","name":"폴백 블록"},'
      .. '"userRequest":{"timezone":"Asia/Seoul","utterance":' .. Q.jsonstr(q)
      .. ',"lang":"kr","user":{"id":"load-user-' .. (n % 50) .. '","type":"botUserKey","properties":{}}},'
      .. '"bot":{"id":"load","name":"도움 봇"},"action":{"name":"doum_skill","params":{},"detailParams":{},"clientExtra":{}}}'
  end
  next_body = Q.cycle(bodies)
end

function request()
  return wrk.format("POST", "/kakao/skill", { ["Content-Type"] = "application/json" }, (next_body()))
end
