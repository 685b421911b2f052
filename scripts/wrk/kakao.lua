-- wrk -s kakao.lua URL -- QUERIES.tsv...: POST /kakao/skill, utterances cycled.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local Q = require("queries")
local bodies, i = {}, 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("start", counter * 37)
end

function init(args)
  for n, q in ipairs(Q.load(args)) do
    bodies[#bodies + 1] = '{"intent":{"id":"load","name":"폴백 블록"},'
      .. '"userRequest":{"timezone":"Asia/Seoul","utterance":' .. Q.jsonstr(q)
      .. ',"lang":"kr","user":{"id":"load-user-' .. (n % 50) .. '","type":"botUserKey","properties":{}}},'
      .. '"bot":{"id":"load","name":"도움 봇"},"action":{"name":"doum_skill","params":{},"detailParams":{},"clientExtra":{}}}'
  end
  i = (start or 0) % #bodies
end

function request()
  i = i % #bodies + 1
  return wrk.format("POST", "/kakao/skill", { ["Content-Type"] = "application/json" }, bodies[i])
end
