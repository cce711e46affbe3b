-- Pacing for wrk (loaded by the bench's wrk scripts): with BENCH_RATE=n, requests leave at n per second over all
-- connections, as autocannon's overallRate does. wrk calls delay() before each request; the pacer hands out send
-- slots 1/n s apart on one schedule and returns the wait until the next free slot (wrk waits whole ms, so a
-- request may leave up to 1 ms early; the schedule itself does not drift). Slots that passed while every
-- connection was busy are caught up for at most 10 ms (a token bucket with a 10 ms burst); older ones are
-- dropped, and the run then shows a rate below n.
-- Closed loop, like autocannon: a request waits for a free connection (64 by default), so a stalled server
-- lowers the rate instead of building a queue that the latencies would show.
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef([[
    typedef struct { long tv_sec; long tv_nsec; } byoi_timespec;
    int clock_gettime(int clock, byoi_timespec *ts);
  ]])
  local monotonic = 1 -- CLOCK_MONOTONIC
  local ts = ffi.new("byoi_timespec")
  local function nowMs()
    ffi.C.clock_gettime(monotonic, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = 1000 / rate
  local burstMs = 10
  local nextSlot = 0
  delay = function()
    local now = nowMs()
    if nextSlot < now - burstMs then nextSlot = now - burstMs end
    local wait = math.max(0, nextSlot - now)
    nextSlot = nextSlot + interval
    return wait
  end
end
