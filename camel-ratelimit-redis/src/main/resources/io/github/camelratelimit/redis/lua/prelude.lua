-- camel-ratelimit Redis limiter: shared prelude of the acquire/record/snapshot/reset scripts.
-- The same rules as io.github.camelratelimit.core.LimiterState (read it first), run atomically where the
-- state lives. KEYS[1] = the state hash, KEYS[2] = the quota window's zset of start times; both carry the
-- hash tag {prefix:limiter}, so they share a Redis Cluster slot.
--
-- Times are server microseconds (redis TIME), made strictly increasing per limiter (field now).
-- GCRA tat is kept exactly as integer microseconds (tu) plus 0..999 nanoseconds (tn), so pacing
-- arithmetic is the core's integer-nanosecond arithmetic. Durations in ARGV are nanoseconds; times derived
-- from them (pause, ceiling until) are rounded up to whole microseconds.
--
-- ARGV (config, every call; nothing of the config is stored):
--  1 minRate  2 maxRate  3 recoveryScale  4 decreaseFactor  5 quota (0 = off)  6 quotaWindow ns
--  7 signalCooldown ns  8 maxPause ns  9 quotaSafetyMargin  10 idle expiry ms
--  11 time override in us (-1 = redis TIME; tests only)  12.. the operation's own arguments
--
-- Hash fields: tu,tn tat | pu pause until (us) | lc last cut (us) | g granted | th throttled
--  ce,cu provider ceiling (permits/s) and until (us) | lr provider limit rate (permits/s)
--  wm,ca,k,c the running cubic recovery (Wmax, cut at us, K s, C) | ns next scale | n cuts | now last time
--  ar,ga,ta,ap the open congestion event (armed at us, granted and throttled counters then, 1 if paused since)
--  gc,tc the granted and throttled counters at the last cut | os 1 when the last cut was an overshoot's
--  ps the length of all pauses set so far (their union, us) | pc the part of it that had passed at the last cut
--  mm 1 when Wmax is the estimate the last cut was given (AdaptiveRateLimit.measured), me 1 when that estimate
--  was not raised by the pause floor as well (LimiterState.measuredMax): only then may a probe's throttle cut
--  rh,rt the last throttle heard (AdaptiveRateLimit.throttled): 1 if it had Retry-After, its round trip in ns
--  fa 1 when the running recovery turns into the fast probe past FAST_LIMIT * Wmax | sa,sr the fast probe was
--  slowed by a throttle at sa (us), when the rate was sr
if redis.replicate_commands then pcall(redis.replicate_commands) end

local H, Z = KEYS[1], KEYS[2]

-- a finite number, or nil (absent, malformed or hostile values read as absent)
local function num(v)
  local n = tonumber(v)
  if n == nil or n ~= n or n == math.huge or n == -math.huge then
    return nil
  end
  return n
end

local minRate = num(ARGV[1])
local maxRate = num(ARGV[2])
local recoveryScale = num(ARGV[3])
local beta = num(ARGV[4])
local quota = num(ARGV[5]) or 0
local windowNs = num(ARGV[6]) or 0
local cooldownNs = num(ARGV[7]) or 0
local maxPauseNs = num(ARGV[8]) or 0
local margin = num(ARGV[9]) or 0
local idleMs = num(ARGV[10]) or 3600000
local override = num(ARGV[11]) or -1
local initialScale = math.min(500, recoveryScale)
-- AdaptiveRateLimit.TIME_UNIT_SECONDS, ESTIMATE_FACTOR; LimiterState.ARM_TTL_NANOS, MIN_MEASURE_NANOS (in us)
local U = 0.2
local GAMMA = 0.9
local ARM_TTL_US = 5000000
local MIN_MEASURE_US = 100000
-- LimiterState.MIN_EVENT_ACCEPTED, MAX_EVENT_THROTTLES, MAX_MEASURE_NANOS (in us)
local MIN_EVENT_ACCEPTED = 8
local MAX_EVENT_THROTTLES = 16
local MAX_MEASURE_US = 1000000
-- LimiterState.PROBE_LIMIT, RISE_LIMIT
local PROBE_LIMIT = 1.5
local RISE_LIMIT = 1.25
-- AdaptiveRateLimit.FAST_LIMIT, FAST_DOUBLING_SECONDS, FAST_RTT_SHARE
local FAST_LIMIT = 1.15
local FAST_DOUBLING = 0.45
local FAST_RTT_SHARE = 4

local FIELDS = {'tu', 'tn', 'pu', 'lc', 'g', 'th', 'ce', 'cu', 'lr', 'wm', 'ca', 'k', 'c', 'ns', 'n', 'now', 'ar', 'ga', 'ta', 'ap', 'me', 'mm',
  'rh', 'rt', 'fa', 'sa', 'sr', 'gc', 'tc', 'os', 'ps', 'pc'}
local S = {}
do
  local raw = redis.call('HMGET', H, unpack(FIELDS))
  for i, f in ipairs(FIELDS) do
    S[f] = num(raw[i])
  end
end
local dirty = {}

local function set(f, v)
  S[f] = v
  dirty[f] = true
end

local function fmt(v)
  if v == math.floor(v) and math.abs(v) < 9007199254740992 then
    return string.format('%d', v)
  end
  return string.format('%.17g', v)
end

local function save()
  local args = {}
  for f, _ in pairs(dirty) do
    if S[f] ~= nil then
      args[#args + 1] = f
      args[#args + 1] = fmt(S[f])
    end
  end
  if #args > 0 then
    redis.call('HSET', H, unpack(args))
  end
  dirty = {}
end

-- server time in us, strictly after the last time this limiter saw
local function clock()
  local t
  if override >= 0 then
    t = override
  else
    local tm = redis.call('TIME')
    t = tonumber(tm[1]) * 1000000 + tonumber(tm[2])
  end
  if S.now ~= nil and t <= S.now then
    t = S.now + 1
  end
  return t
end

-- keys live for the idle expiry, never shorter than what they still hold back (window, pause, tat, ceiling)
local function expire(now)
  local ttl = idleMs
  if quota > 0 then
    ttl = math.max(ttl, math.ceil(windowNs / 1e6))
  end
  if S.pu ~= nil then ttl = math.max(ttl, math.ceil((S.pu - now) / 1000)) end
  if S.tu ~= nil then ttl = math.max(ttl, math.ceil((S.tu - now) / 1000) + 1) end
  if S.cu ~= nil then ttl = math.max(ttl, math.ceil((S.cu - now) / 1000)) end
  -- at most 400 days (the longest quota window is 366 days): a hostile time never overflows PEXPIRE
  ttl = string.format('%d', math.min(34560000000, math.max(1, ttl)))
  redis.call('PEXPIRE', H, ttl)
  redis.call('PEXPIRE', Z, ttl)
end

local function cutState()
  return S.wm ~= nil and S.ca ~= nil and S.k ~= nil and S.c ~= nil
end

-- AdaptiveRateLimit: xP, where the cubic with scale c is at FAST_LIMIT * Wmax (time units after K), and D, the
-- fast probe's doubling time in seconds
local function fastX(c)
  return ((FAST_LIMIT - 1) * c) ^ (1 / 3)
end

local function doubling(c)
  return FAST_DOUBLING * (c / 100000) ^ (1 / 3)
end

-- AdaptiveRateLimit.rate: maxRate before any cut, else clamp(Wmax * (1 + ((t - t0 - K) / u)^3 / C)); past xP
-- (fa = 1) the fast probe clamp(Wmax * (1 + (P - 1) * 2^((x - xP) * u / D))), or once a throttle slowed it (sa)
-- clamp(sr * (1 + (xP + (t - sa) / u)^3 / C) / P)
local function adaptive(now)
  if not cutState() then
    return maxRate
  end
  local x = (((now - S.ca) * 1000) / 1e9 - S.k) / U
  local r
  local xp = fastX(S.c)
  if S.fa == 1 and x > xp then
    if S.sa ~= nil and S.sr ~= nil and now >= S.sa then
      local xs = xp + ((now - S.sa) * 1000) / 1e9 / U
      r = S.sr * (1 + xs * xs * xs / S.c) / FAST_LIMIT
    else
      r = S.wm * (1 + (FAST_LIMIT - 1) * 2 ^ ((x - xp) * U / doubling(S.c)))
    end
  else
    r = S.wm * (1 + x * x * x / S.c)
  end
  if r ~= r then
    return minRate
  end
  return math.max(minRate, math.min(maxRate, r))
end

-- AdaptiveRateLimit.throttled: a throttle at now for the call granted at g (us), before it may cut
local function heard(now, g, retryAfter)
  set('rh', retryAfter and 1 or 0)
  if g > now then
    set('rt', 0)
  else
    set('rt', (now - g) * 1000)
  end
  if not cutState() or S.fa ~= 1 or S.sa ~= nil then
    return
  end
  local x = (((now - S.ca) * 1000) / 1e9 - S.k) / U
  if x <= fastX(S.c) then
    set('fa', 0)
  else
    set('sr', adaptive(now))
    set('sa', now)
  end
end

-- LimiterState.rate: min(adaptive, provider ceiling while valid, provider limit rate)
local function rateAt(now)
  local r = adaptive(now)
  if S.ce ~= nil and S.cu ~= nil and now < S.cu and S.ce < r then
    r = S.ce
  end
  if S.lr ~= nil and S.lr < r then
    r = S.lr
  end
  return r
end

-- LimiterState.intervalNanos: round(1e9 / rate) within [1 ns, 1 day]
local function intervalNs(rate)
  return math.max(1, math.min(86400000000000, math.floor(1e9 / rate + 0.5)))
end

-- LimiterState.pauseUntil: never shortens a pause; clamped to maxPause; rounded up to whole us
local function pauseFor(now, d)
  d = math.min(math.max(0, d), maxPauseNs)
  local u = now + math.ceil(d / 1000)
  -- LimiterState.pausedSum: the part of this pause not already in force
  local from = (S.pu ~= nil and S.pu > now) and S.pu or now
  if u > from then
    set('ps', (S.ps or 0) + u - from)
  end
  if S.pu == nil or u > S.pu then
    set('pu', u)
  end
  -- LimiterState.pausedInEvent: a pause in force while a congestion event is open
  if S.ar ~= nil and S.pu > now then
    set('ap', 1)
  end
end

-- LimiterState.pausedElapsed: the part of all pauses set so far (ps) that has passed by now (us)
local function pausedElapsed(now)
  local ps = S.ps or 0
  if S.pu ~= nil and S.pu > now then
    return ps - (S.pu - now)
  end
  return ps
end

-- AdaptiveRateLimit.cut with an estimate (nil: none) and the bookkeeping of LimiterState's cut;
-- returns true when the estimate became Wmax (AdaptiveRateLimit.measured)
local function cutWith(now, est)
  local current = adaptive(now)
  local wm, b
  local measured = est ~= nil and est > 0 and est < math.huge and GAMMA * est < current
  if measured then
    wm, b = est, GAMMA
  else
    wm, b = current, beta
  end
  local c = S.ns or initialScale
  set('wm', wm)
  set('ca', now)
  set('c', c)
  set('ns', math.min(recoveryScale, c * 2))
  set('k', U * ((1 - b) * c) ^ (1 / 3))
  -- the fast probe: only after a throttle without Retry-After whose round trip was at most D / FAST_RTT_SHARE
  local fast = S.rh == 0 and S.rt ~= nil and FAST_RTT_SHARE * S.rt / 1e9 <= doubling(c)
  set('fa', fast and 1 or 0)
  if S.sa ~= nil then
    S.sa = nil
    redis.call('HDEL', H, 'sa')
  end
  set('n', (S.n or 0) + 1)
  set('mm', measured and 1 or 0)
  -- LimiterState.cutDone: the time and counters the next cut measures from; the pacing at the new rate from
  -- the last grant on (tat = max(tat, lg + interval))
  set('lc', now)
  set('gc', S.g or 0)
  set('tc', S.th or 0)
  set('os', 0)
  set('pc', pausedElapsed(now))
  local lg = num(redis.call('HGET', H, 'lg'))
  if lg ~= nil then
    local iv = intervalNs(rateAt(now))
    local u, n = lg + math.floor(iv / 1000), iv % 1000
    if S.tu == nil or S.tn == nil or u > S.tu or (u == S.tu and n > S.tn) then
      set('tu', u)
      set('tn', n)
    end
  end
  return measured
end

-- LimiterState.inProbeBand: a rate above the last cut's Wmax by less than PROBE_LIMIT (a probe's)
local function inProbeBand(r)
  return r > S.wm and r < PROBE_LIMIT * S.wm
end

-- LimiterState.probing: a call granted at g (us) went out while the recovery probed above the capacity the
-- last cut measured (me = 1: Wmax is an estimate, not raised by the floor), by less than PROBE_LIMIT
local function probing(g)
  if S.me ~= 1 or S.mm ~= 1 or not cutState() then
    return false
  end
  return inProbeBand(adaptive(g))
end

-- LimiterState.acceptedSince: grants - throttles since the counters were grantedThen and throttledThen
local function acceptedSince(grantedThen, throttledThen)
  return (S.g or 0) - (grantedThen or 0) - (S.th - (throttledThen or 0))
end

-- LimiterState.acceptedPerSecond: (grants - throttles since then) / (now - since); since in us
local function acceptedPerSecond(grantedThen, throttledThen, since, now)
  return acceptedSince(grantedThen, throttledThen) / (((now - since) * 1000) / 1e9)
end

-- LimiterState.overshooting and the overshoot rule: a call granted at g (us) went out at PROBE_LIMIT times the
-- measured Wmax or more, with no pause since the last cut; returns the estimate to cut with at once (max(Wmax, A),
-- A the accepted rate since the last cut) when A is under RISE_LIMIT * Wmax, else nil (an event opens)
local function overshoot(now, g)
  if S.me ~= 1 or S.mm ~= 1 or S.os == 1 or not cutState() or S.lc == nil then
    return nil
  end
  if (S.pu ~= nil and S.pu > S.lc) or (now - S.lc) * 1000 < cooldownNs or adaptive(g) < PROBE_LIMIT * S.wm then
    return nil
  end
  local acc = acceptedPerSecond(S.gc, S.tc, S.lc, now)
  if acc < RISE_LIMIT * S.wm then
    return math.max(S.wm, acc)
  end
  return nil
end

-- LimiterState.pausedProbeEstimate: a call granted at g (us) went out while the recovery ran above the last cut's
-- Wmax by less than PROBE_LIMIT (measured or not), and A', the accepted rate since that cut per second not paused
-- (at least MIN_MEASURE of it), is above 0 and under RISE_LIMIT * Wmax: returns the estimate to cut with at once
-- (A' when under GAMMA * Wmax, else max(Wmax, A')), else nil. For a throttle with Retry-After, no event open
local function pausedProbe(now, g)
  if not cutState() or S.lc == nil or (now - S.lc) * 1000 < cooldownNs then
    return nil
  end
  local active = (now - S.lc) - (pausedElapsed(now) - (S.pc or 0))
  if not inProbeBand(adaptive(g)) or active < MIN_MEASURE_US then
    return nil
  end
  local acc = acceptedPerSecond(S.gc, S.tc, now - active, now)
  if acc <= 0 or acc >= RISE_LIMIT * S.wm then
    return nil
  end
  if acc < GAMMA * S.wm then
    return acc
  end
  return math.max(S.wm, acc)
end

-- the window's start threshold: a start s is still in the window at now iff s > now - window
local function windowFloor(now)
  return now - math.ceil(windowNs / 1000)
end
