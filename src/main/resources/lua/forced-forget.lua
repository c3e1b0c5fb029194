-- Gives back a forced-refresh claim whose platform call certainly issued nothing: the claim goes, and
-- the day's count is one less.
-- KEYS[1]: the claim; KEYS[2]: the day's count (one hash slot).
-- Returns 1.
redis.call('DEL', KEYS[1])
local used = tonumber(redis.call('GET', KEYS[2]) or '')
if used ~= nil and used > 0 then
  redis.call('DECR', KEYS[2])
end
return 1
