-- Spends one of a caller's forced refreshes in the current window, across replicas.
-- KEYS[1]: the caller's count in this window (a string living for the window).
-- ARGV[1]: most per window; ARGV[2]: the window in ms.
-- Returns {1, 0} when spent, {0, ms until the window ends} when the caller has none left.
-- A count of another type, without a TTL, with a TTL beyond the window, or not a number was written by
-- someone else: removed.
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 or ttl > tonumber(ARGV[2]) or ttl ~= -2 and (redis.call('TYPE', KEYS[1])['ok'] ~= 'string'
    or tonumber(redis.call('GET', KEYS[1])) == nil) then
  redis.call('DEL', KEYS[1])
end
local used = redis.call('INCR', KEYS[1])
if used == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if used > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return {0, math.max(redis.call('PTTL', KEYS[1]), 1)}
end
return {1, 0}
