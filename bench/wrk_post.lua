-- wrk script for bench.serve: POST JSON bodies read from a file, "warm" or "cold".
--
-- Why: wrk only sends one fixed request by itself. A server that caches responses
-- would look fast on that alone, so bench.serve measures each case twice: warm (the
-- same body every time) and cold (no two requests alike, so no response cache can help).
--
-- Usage: wrk -t2 -c16 -d15s --latency -s wrk_post.lua URL -- BODIES MODE THREADS BASE
--   BODIES   a file with one body per line. warm: the first line is sent as it is.
--            cold: every line is a template with one "{K}" slot; request k of the run
--            (unique across threads) sends line k % n with BASE - floor(k / n) in the slot.
--   MODE     warm | cold
--   THREADS  the -t value (so that request numbers are unique across threads)
--   BASE     the number written into the slot for the first round of templates
-- Responses whose body holds a GraphQL "errors" key are counted; done() prints
-- "bench-graphql-errors N" and "bench-requests-sent N" for bench.serve to read.

local next_tid = 0
local threads = {}

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

local templates = {}
local cold = false
local nthreads = 1
local base = 0
local sent = 0
local cached = nil
gql_errors = 0
requests_sent = 0

function init(args)
   local path = args[1]
   cold = args[2] == "cold"
   nthreads = tonumber(args[3] or "1")
   base = tonumber(args[4] or "0")
   for line in io.lines(path) do
      if #line > 0 then
         templates[#templates + 1] = line
      end
   end
   if #templates == 0 then
      error("no bodies in " .. path)
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Accept"] = "application/json"
   if not cold then
      cached = wrk.format(nil, nil, nil, templates[1])
   end
end

function request()
   requests_sent = requests_sent + 1
   if not cold then
      return cached
   end
   local k = sent * nthreads + tid
   sent = sent + 1
   local n = #templates
   local slot = string.format("%d", base - math.floor(k / n))
   local body = string.gsub(templates[(k % n) + 1], "{K}", slot, 1)
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   if string.find(body, '"errors"', 1, true) then
      gql_errors = gql_errors + 1
   end
end

function done(summary, latency, requests)
   local errors, total = 0, 0
   for _, thread in ipairs(threads) do
      errors = errors + (thread:get("gql_errors") or 0)
      total = total + (thread:get("requests_sent") or 0)
   end
   io.write(string.format("bench-graphql-errors %d\n", errors))
   io.write(string.format("bench-requests-sent %d\n", total))
end
