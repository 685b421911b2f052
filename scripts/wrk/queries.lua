-- Shared by the wrk scripts: the dev queries (first column of each TSV
-- given after `--`), cycled per thread from a different start.
local M = {}

-- wrk's `setup`: each thread starts its cycle at another query, and knows
-- its number (`id`, from 0).
local threads = 0
function M.setup(thread)
  thread:set("id", threads)
  threads = threads + 1
  thread:set("start", threads * 37)
end

-- A cycle over `items` from this thread's start (see `setup`): each call
-- gives the next item and how many times the cycle has begun again.
function M.cycle(items)
  local i, rounds = (start or 0) % #items, 0
  return function()
    i = i % #items + 1
    if i == 1 then rounds = rounds + 1 end
    return items[i], rounds
  end
end

function M.load(files)
  local out = {}
  for _, f in ipairs(files) do
    local fh = assert(io.open(f, "r"), "cannot open " .. f)
    local header = true
    for line in fh:lines() do
      if header then
        header = false
      else
        local q = line:match("^([^\t]+)")
        if q and #q > 0 then out[#out + 1] = q end
      end
    end
    fh:close()
  end
  assert(#out > 0, "no queries read")
  return out
end

-- `/api/search?q=<query>` (or `<route>?q=<query>`) for every query of
-- `files`, each followed by `tail` (if given).
function M.search_paths(files, tail, route)
  local paths = {}
  for _, q in ipairs(M.load(files)) do
    paths[#paths + 1] = (route or "/api/search") .. "?q=" .. M.urlencode(q) .. (tail or "")
  end
  return paths
end

function M.urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function M.jsonstr(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

return M
