-- Stores a client's new token record unless a record of an equal or higher generation is stored
-- (fencing: a lock holder that lost its lease can never overwrite a newer token), sets its TTL and
-- announces it to every replica.
-- KEYS[1]: the record hash.
-- ARGV[1]: generation; ARGV[2]: token; ARGV[3]: acquired-at (epoch ms); ARGV[4]: expires-at (epoch ms);
-- ARGV[5]: TTL in ms; ARGV[6]: updates channel; ARGV[7]: message (the client name).
-- Returns 1 if stored, 0 if refused.
local stored = tonumber(redis.call('HGET', KEYS[1], 'generation'))
if stored and stored >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'token', ARGV[2], 'acquired-at', ARGV[3], 'expires-at', ARGV[4], 'generation', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1
