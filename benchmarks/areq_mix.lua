-- wrk script: POST a mix of AReqs with fresh ids and PANs from the loaded set.
-- Run by benchmarks/saturate.py:
--   wrk -t1 -c32 -d10s -s benchmarks/areq_mix.lua URL -- TEMPLATE_FILE PANS_FILE 60,20,15,5
-- TEMPLATE_FILE is written by benchmarks/areqs.py (placeholders @TSID@ @DSID@ @PAN@ @AMOUNT@
-- @DATE@); the mix weights are frictionless,tra,challenge,invalid as in areqs.py.
-- done() prints one line "BENCH_JSON {...}" with microsecond latencies.

local kinds = {
  {name = "frictionless", low = 100, high = 3000},
  {name = "tra", low = 3001, high = 25000},
  {name = "challenge", low = 50001, high = 150000},
  {name = "invalid", low = 100, high = 3000},
}
local thread_count = 0
local template, pans, cumulative, total_weight
local thread_id, counter = 0, 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  return lines
end

local function parse_mix(text)
  local weights, sum = {}, 0
  for w in string.gmatch(text, "%d+") do
    sum = sum + tonumber(w)
    weights[#weights + 1] = sum
  end
  return weights, sum
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  template = file:read("*a")
  file:close()
  pans = read_lines(args[2])
  cumulative, total_weight = parse_mix(args[3] or "60,20,15,5")
  thread_id = tid or 0  -- the global set by setup()
  math.randomseed(os.time() + thread_id * 7919)
end

local function pick_kind()
  local r = math.random(1, total_weight)
  for i, bound in ipairs(cumulative) do
    if r <= bound then return kinds[i] end
  end
  return kinds[1]
end

local function fresh_uuid()
  counter = counter + 1
  return string.format("%08x-%04x-4%03x-%04x-%04x%08x", thread_id, math.random(0, 65535),
    math.random(0, 4095), 32768 + math.random(0, 16383), math.random(0, 65535), counter)
end

function request()
  local kind = pick_kind()
  local date = os.date("!%Y%m%d%H%M%S")
  if kind.name == "invalid" then date = string.sub(date, 1, 8) end
  local body = template:gsub("@TSID@", fresh_uuid()):gsub("@DSID@", fresh_uuid())
  body = body:gsub("@PAN@", pans[math.random(1, #pans)])
  body = body:gsub("@AMOUNT@", tostring(math.random(kind.low, kind.high)))
  body = body:gsub("@DATE@", date)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d},"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
