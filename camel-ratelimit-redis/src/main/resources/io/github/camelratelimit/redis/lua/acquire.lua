
-- LimiterState.tryAcquire. Returns {granted 0|1, wait ns, interval ns, reason, now us};
-- reason: 0 none, 1 pacing, 2 quota, 3 paused
--
-- The window guard and the quota share the zset Z: every grant of the last max(1.001 s, quota window + guard),
-- at most max(65,536, quota) of them; score and member are the grant time in us (unique: clock() is strictly
-- increasing per limiter). Both ask for "the k-th most recent grant" (ZREVRANGE k-1, O(log n)); older entries
-- only ever answer "no limit", so pruning (by score, then by rank) happens on grants, with the ZADD.
-- Hash fields of the guard: lg the latest grant (us; kept however old: n = 1 spaces slow rates by it),
-- gn, gw, gu the held window limit (n, W ns) and until when it holds (us).
local WINDOW_MEMORY = 65536
local WINDOW_RETENTION_NS = 1001000000

-- SlidingWindowQuota.guardNanos: floor(w / 1000), exact for integers up to 2^53 (fmod is exact)
local function guardNs(w)
  return (w - math.fmod(w, 1000)) / 1000
end

local now = clock()
local rate = rateAt(now)
local iv = intervalNs(rate)
local G = redis.call('HMGET', H, 'lg', 'gn', 'gw', 'gu')
local lg, gn, gw, gu = num(G[1]), num(G[2]), num(G[3]), num(G[4])
-- LimiterState.guardFor: (n, W) of this rate
local rn, rw = 1, iv
if rate >= 1 then
  rn, rw = math.ceil(rate - 1e-9), 1000000000
end
local held = gn ~= nil and gw ~= nil and gu ~= nil
-- the held limit is looser: larger n, then shorter W
local heldLooser = held and (gn > rn or (gn == rn and gw < rw))
local n, w = rn, rw
if heldLooser and now < gu then
  n, w = gn, gw
end

local tatOff = nil
if S.tu ~= nil and S.tn ~= nil then
  tatOff = (S.tu - now) * 1000 + S.tn
end
local e = tatOff -- earliest - now in ns; nil is "no constraint" (Long.MIN_VALUE in the core)
local reason = 1

-- the window guard: the n-th most recent grant + W' (LimiterState.windowEarliest)
local qspan = 0
local keepNs = WINDOW_RETENTION_NS
if quota > 0 then
  qspan = windowNs + guardNs(windowNs)
  keepNs = math.max(keepNs, qspan)
end
local span = w + guardNs(w)
local k = math.min(n, WINDOW_MEMORY)
if k < n then
  -- approximate above 65,536/s: W = 1 s, so span * k <= 6.6e13 and the quotient is exact enough for floor
  span = math.floor(span * k / n)
end
local g = nil
if k == 1 then
  if lg ~= nil then
    g = (lg - now) * 1000 + span
  end
else
  local s = redis.call('ZREVRANGE', Z, k - 1, k - 1, 'WITHSCORES')
  if s[2] ~= nil then
    g = (tonumber(s[2]) - now) * 1000 + span
  end
end
if g ~= nil and (e == nil or g > e) then
  e = g
end

if S.pu ~= nil then
  local p = (S.pu - now) * 1000
  if e == nil or p > e then
    e = p
    reason = 3
  end
end
if quota > 0 then
  -- the quota-th most recent start + the guarded window (none, or in the past: the quota is not used up)
  local s = redis.call('ZREVRANGE', Z, quota - 1, quota - 1, 'WITHSCORES')
  local q = 0
  if s[2] ~= nil then
    q = math.max(0, (tonumber(s[2]) - now) * 1000 + qspan)
  end
  if e == nil or q > e then
    e = q
    reason = 2
  end
end
if e ~= nil and e > 0 then
  return {0, math.ceil(e), iv, reason, now}
end
-- grant: tat = (now - tat < interval ? tat : now) + interval
local bu, bn = now, 0
if tatOff ~= nil and -tatOff < iv then
  bu, bn = S.tu, S.tn
end
local total = bn + iv
set('tu', bu + math.floor(total / 1000))
set('tn', total % 1000)
-- a provider's window resets at cu: its slow pacing ends with it (tat capped there)
if S.cu ~= nil and now < S.cu and (S.tu > S.cu or (S.tu == S.cu and S.tn > 0)) then
  set('tu', S.cu)
  set('tn', 0)
end
local at = string.format('%d', now)
redis.call('ZREMRANGEBYSCORE', Z, '-inf', string.format('%d', now - math.ceil(keepNs / 1000)))
redis.call('ZADD', Z, at, at)
redis.call('ZREMRANGEBYRANK', Z, 0, -(math.max(WINDOW_MEMORY, quota) + 1))
set('lg', now)
local ownSpan = rw + guardNs(rw)
if not held or now >= gu or not heldLooser then
  set('gn', rn)
  set('gw', rw)
  set('gu', now + math.ceil(ownSpan / 1000))
end
set('g', (S.g or 0) + 1)
set('now', now)
save()
expire(now)
-- below 1/3600 per second the latest grant must outlive the idle expiry: keep the keys for its W'
local need = math.ceil(ownSpan / 1000000) + 1
if need > idleMs then
  local ttl = redis.call('PTTL', H)
  if ttl >= 0 and ttl < need then
    redis.call('PEXPIRE', H, string.format('%d', need))
    redis.call('PEXPIRE', Z, string.format('%d', need))
  end
end
return {1, 0, iv, 0, now}
