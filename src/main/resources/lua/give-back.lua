-- Gives back one spent place of a count that lives for its window (a caller's forced refreshes).
-- KEYS[1]: the count. Returns the count left, or 0 when there was nothing to give back.
local used = tonumber(redis.call('GET', KEYS[1]) or '')
if used ~= nil and used > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
