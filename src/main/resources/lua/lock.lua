-- Takes a client's refresh lock and hands out the client's next fencing number.
-- KEYS[1]: the lock; KEYS[2]: the fencing counter; KEYS[3]: the record (one hash slot).
-- ARGV[1]: the would-be owner's unique value; ARGV[2]: lease in ms; ARGV[3]: counter TTL in ms;
-- ARGV[4]: the highest generation the caller knows (the counter never hands out one below it).
-- Returns the fencing number, or 0 when someone else holds the lock.
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 0
end
-- A counter lost with a restarted Redis must not start below a generation a replica still holds.
local floor = math.max(tonumber(redis.call('HGET', KEYS[3], 'generation') or '0'), tonumber(ARGV[4]))
if tonumber(redis.call('GET', KEYS[2]) or '0') < floor then
  redis.call('SET', KEYS[2], floor)
end
local fence = redis.call('INCR', KEYS[2])
-- The counter outlives every record it numbered, so generations never go back.
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return fence
