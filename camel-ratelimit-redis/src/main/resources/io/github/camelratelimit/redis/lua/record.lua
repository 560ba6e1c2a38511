
-- LimiterState.record. ARGV 12 outcome (S|T|O), 13 grantedAt us, 14 retryAfter ns (-1 none),
-- 15 provider quota present (1|0), 16 limit, 17 remaining, 18 reset ns, 19 window ns (-1 unknown).
-- Returns {cut 0|1, now us}
local now = clock()
if ARGV[15] == '1' then
  local lim = num(ARGV[16]) or -1
  local rem = num(ARGV[17]) or -1
  local reset = num(ARGV[18]) or -1
  local win = num(ARGV[19]) or -1
  local keep = 1 - margin
  if rem == 0 and reset > 0 then
    pauseFor(now, reset)
  elseif rem > 0 and reset > 0 then
    set('ce', rem * keep / (reset / 1e9))
    set('cu', now + math.ceil(reset / 1000))
  end
  if lim > 0 and win > 0 then
    set('lr', lim * keep / (win / 1e9))
  end
end
local cut = 0
if ARGV[12] == 'T' then
  set('th', (S.th or 0) + 1)
  local retryAfter = num(ARGV[14]) or -1
  if retryAfter >= 0 then
    pauseFor(now, retryAfter)
  end
  local grantedAt = num(ARGV[13]) or 0
  -- a last cut or an open event in the future is hostile state (times only move forward): read as absent
  if S.lc ~= nil and S.lc > now then
    S.lc = nil
  end
  -- one cut per congestion event, confirmed by a second throttle (LimiterState.record)
  if S.lc == nil or grantedAt >= S.lc then
    -- AdaptiveRateLimit.throttled: heard before the decision (Retry-After, round trip, the fast probe)
    heard(now, grantedAt, retryAfter >= 0)
    if S.ar ~= nil and (S.ar > now or now - S.ar > ARM_TTL_US) then
      S.ar = nil
      redis.call('HDEL', H, 'ar')
    end
    local paused = nil
    if S.ar == nil and retryAfter >= 0 then
      paused = pausedProbe(now, grantedAt)
    end
    local probe = paused == nil and S.ar == nil and probing(grantedAt)
        and (S.lc == nil or (now - S.lc) * 1000 >= cooldownNs)
    local over = nil
    if S.ar == nil and paused == nil and not probe then
      over = overshoot(now, grantedAt)
    end
    if paused ~= nil then
      -- a probe's throttle that paused the whole limiter: cut at once (a second one would pause it again)
      local measured = cutWith(now, paused)
      set('me', measured and 1 or 0)
      cut = 1
    elseif probe then
      -- LimiterState.probing: the recovery probed past the capacity the last cut measured: cut at once, to it
      cutWith(now, S.wm)
      cut = 1
    elseif over ~= nil then
      -- the probe passed PROBE_LIMIT * Wmax on a reserve of the provider's bucket: cut at once, no event
      cutWith(now, over)
      set('os', 1)
      cut = 1
    elseif S.ar == nil then
      -- arm: open the event, remember the counters; the scale doubles; no cut
      set('ar', now)
      set('ap', (S.pu ~= nil and S.pu > now) and 1 or 0)
      set('ga', S.g or 0)
      set('ta', S.th)
      set('ns', math.min(recoveryScale, (S.ns or initialScale) * 2))
    elseif grantedAt >= S.ar and now - S.ar >= MIN_MEASURE_US
        and (S.lc == nil or (now - S.lc) * 1000 >= cooldownNs)
        and (S.ap == 1 or acceptedSince(S.ga, S.ta) >= MIN_EVENT_ACCEPTED
          or S.th - (S.ta or 0) >= MAX_EVENT_THROTTLES or now - S.ar >= MAX_MEASURE_US) then
      -- without a pause in it, the event waits for MIN_EVENT_ACCEPTED calls accepted (or the bounds) to measure
      -- AdaptiveRateLimit.cut with the accepted rate since the event opened
      local est = acceptedPerSecond(S.ga, S.ta, S.ar, now)
      local floored = false
      if S.ap == 1 then
        -- a pause inside the measurement reads low on a small bucket: never cut deeper than decreaseFactor^3
        local floor = beta * beta * beta * adaptive(now) / GAMMA
        floored = est < floor
        est = math.max(est, floor)
      end
      local measured = cutWith(now, est)
      set('me', (measured and not floored) and 1 or 0)
      S.ar = nil
      redis.call('HDEL', H, 'ar')
      cut = 1
    end
  end
end
set('now', now)
save()
expire(now)
return {cut, now}
