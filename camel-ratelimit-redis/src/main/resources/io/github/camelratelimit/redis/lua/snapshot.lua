
-- LimiterState.snapshot (read only). Returns {rate, pause remaining ns, cuts, scale, granted, throttled,
-- quota used (-1 without quota), now us}; rate and scale as strings
local now = clock()
local pause = 0
if S.pu ~= nil and S.pu > now then
  pause = (S.pu - now) * 1000
end
local used = -1
if quota > 0 then
  used = redis.call('ZCOUNT', Z, '(' .. string.format('%d', windowFloor(now)), '+inf')
end
local scale = S.ns or initialScale
if cutState() then
  scale = S.c
end
return {string.format('%.17g', rateAt(now)), pause, S.n or 0, string.format('%.17g', scale), S.g or 0,
  S.th or 0, used, now}
