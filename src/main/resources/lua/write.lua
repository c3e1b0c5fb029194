-- Stores a client's new token record if the record the writer read is still in place, or nothing
-- readable is (compare-and-set: a lock holder that lost its lease never overwrites what a newer holder
-- stored); replaces a key of another type; sets the TTL and announces the record to every replica.
-- KEYS[1]: the record hash.
-- ARGV[1]: the generation the writer read ('' for none); ARGV[2]: TTL in ms; ARGV[3]: updates channel;
-- ARGV[4]: message (the client name); ARGV[5..]: the record's fields, as names and values.
-- Returns 1 if stored, 0 if refused.
local kind = redis.call('TYPE', KEYS[1])['ok']
local current = ''
if kind == 'hash' then
  current = redis.call('HGET', KEYS[1], 'generation') or ''
end
if current ~= '' and current ~= ARGV[1] then
  return 0
end
if kind ~= 'none' then
  redis.call('DEL', KEYS[1])
end
local fields = {}
for i = 5, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
