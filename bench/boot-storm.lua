-- wrk script for the boot storm: each request asks for the iPXE script of a random registered server
-- (bench/_control-plane-server.ts gives server i the MAC 02:bb:00 + i).
--
-- BENCH_RATE=n paces the run at n requests/s over all connections (bench/paced.lua has the pacer).
local servers = tonumber(os.getenv("BENCH_SERVERS") or "10000")
math.randomseed(os.time())
request = function()
  local i = math.random(0, servers - 1)
  local path = string.format("/boot/02-bb-00-%02x-%02x-%02x.ipxe", math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256)
  return wrk.format("GET", path)
end

local script = debug.getinfo(1, "S").source:sub(2)
dofile(script:gsub("[^/]*$", "") .. "paced.lua")
