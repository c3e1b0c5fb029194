-- Reads a client's record with the time it has left by Redis' own clock: every replica measures a
-- record's remaining life from this, never by comparing its own wall clock with the writer's.
-- KEYS[1]: the record hash.
-- Returns {ttl in ms, name, value, ...}: ttl -2 when there is no key, -1 when the hash has no TTL
-- (the broker always sets one), -3 (and nothing else) when the key holds another type than a hash.
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'none' then
  return {-2}
end
if kind ~= 'hash' then
  return {-3}
end
local reply = redis.call('HGETALL', KEYS[1])
table.insert(reply, 1, redis.call('PTTL', KEYS[1]))
return reply
