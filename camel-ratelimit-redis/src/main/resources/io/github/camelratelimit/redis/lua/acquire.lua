
-- LimiterState.tryAcquire. Returns {granted 0|1, wait ns, interval ns, reason, now us};
-- reason: 0 none, 1 pacing, 2 quota, 3 paused
local now = clock()
local rate = rateAt(now)
local iv = intervalNs(rate)
local tatOff = nil
if S.tu ~= nil and S.tn ~= nil then
  tatOff = (S.tu - now) * 1000 + S.tn
end
local e = tatOff -- earliest - now in ns; nil is "no constraint" (Long.MIN_VALUE in the core)
local reason = 1
if S.pu ~= nil then
  local p = (S.pu - now) * 1000
  if e == nil or p > e then
    e = p
    reason = 3
  end
end
if quota > 0 then
  redis.call('ZREMRANGEBYSCORE', Z, '-inf', string.format('%d', windowFloor(now)))
  local q = 0
  if redis.call('ZCARD', Z) >= quota then
    -- the quota-th most recent start + window
    local s = redis.call('ZREVRANGE', Z, quota - 1, quota - 1, 'WITHSCORES')
    q = math.max(0, (tonumber(s[2]) - now) * 1000 + windowNs)
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
if quota > 0 then
  redis.call('ZADD', Z, string.format('%d', now), string.format('%d', now) .. ':' .. fmt((S.g or 0) + 1))
end
set('g', (S.g or 0) + 1)
set('now', now)
save()
expire(now)
return {1, 0, iv, 0, now}
