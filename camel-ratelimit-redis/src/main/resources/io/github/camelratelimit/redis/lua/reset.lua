
-- LimiterState.reset: forgets cuts and pauses, keeps tat and the quota's memory of starts
-- (a reset must never allow an overage). Returns {now us}
local now = clock()
local gone = {'pu', 'lc', 'ce', 'cu', 'lr', 'wm', 'ca', 'k', 'c', 'ns', 'n', 'ar', 'ga', 'ta', 'ap', 'me', 'mm', 'rh', 'rt',
  'fa', 'sa', 'sr', 'gc', 'tc', 'os', 'ps', 'pc'}
redis.call('HDEL', H, unpack(gone))
for _, f in ipairs(gone) do
  S[f] = nil
end
set('now', now)
save()
expire(now)
return {now}
