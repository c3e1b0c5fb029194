-- Takes a client's refresh lock and hands out the client's next fencing number.
-- KEYS[1]: the lock; KEYS[2]: the fencing counter (one hash slot).
-- ARGV[1]: the would-be owner's unique value; ARGV[2]: lease in ms; ARGV[3]: counter TTL in ms;
-- ARGV[4]: the highest generation the caller verified (the counter never hands out one below it);
-- ARGV[5]: the highest plausible counter value.
-- Returns the fencing number, or 0 when someone else holds the lock.
-- The stored record's generation is not read here: anyone who can write to Redis could plant one,
-- and only the caller can verify it.
-- Every lock the broker takes expires within a lease: a lock key without a TTL, with a longer one, or of
-- another type, was written by someone else and would block every acquisition for good (or for long).
local held = redis.call('PTTL', KEYS[1])
if held == -1 or held > tonumber(ARGV[2]) or redis.call('TYPE', KEYS[1])['ok'] ~= 'string' then
  redis.call('DEL', KEYS[1])
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 0
end
if redis.call('TYPE', KEYS[2])['ok'] ~= 'string' then
  redis.call('DEL', KEYS[2])
end
local floor = tonumber(ARGV[4])
local counter = tonumber(redis.call('GET', KEYS[2]) or '0')
-- A counter lost with a restarted Redis, restored from an old snapshot, or overwritten with nonsense
-- starts again from what the caller knows.
if counter == nil or counter ~= math.floor(counter) or counter < floor or counter > tonumber(ARGV[5]) then
  redis.call('SET', KEYS[2], floor)
end
local fence = redis.call('INCR', KEYS[2])
-- The counter outlives every record it numbered, so generations never go back.
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return fence
