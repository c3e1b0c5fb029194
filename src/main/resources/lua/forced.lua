-- Claims a client's next forced refresh across replicas, within two limits: one per floor, and a daily
-- budget. The floor doubles (up to the longest floor) when the token being replaced is the one the last
-- forced refresh produced, i.e. the refusal was not about the token; a rotation that helps resets it.
-- KEYS[1]: the claim (a string living for the floor); KEYS[2]: the damping (a hash: floor, produced);
-- KEYS[3]: the day's count (a string living for a day from the first forced refresh); one hash slot.
-- ARGV[1]: claimant; ARGV[2]: base floor in ms; ARGV[3]: longest floor in ms; ARGV[4]: generation of
-- the token being replaced; ARGV[5]: generation the new token will have; ARGV[6]: daily budget;
-- ARGV[7]: a day in ms.
-- Returns {1, floor set, left today} when granted, {0, ms until a claim may succeed, left today, 1 if
-- the daily budget is spent} when not.
-- A key of another type, without a TTL, with a TTL beyond any this script sets, or not a number where
-- one is kept, was written by someone else: removed, so that no planted key disables recovery for good.
local function foreign(key, kind, longest, numeric)
  local ttl = redis.call('PTTL', key)
  if ttl == -2 then
    return
  end
  if ttl == -1 or ttl > longest or redis.call('TYPE', key)['ok'] ~= kind
      or numeric and tonumber(redis.call('GET', key)) == nil then
    redis.call('DEL', key)
  end
end
local base = tonumber(ARGV[2])
local longest = tonumber(ARGV[3])
local day = tonumber(ARGV[7])
foreign(KEYS[1], 'string', longest, false)
foreign(KEYS[2], 'hash', day, false)
foreign(KEYS[3], 'string', day, true)
local left = tonumber(ARGV[6]) - tonumber(redis.call('GET', KEYS[3]) or '0')
local waiting = redis.call('PTTL', KEYS[1])
if waiting > 0 then
  return {0, waiting, left, 0}
end
if left <= 0 then
  return {0, math.max(redis.call('PTTL', KEYS[3]), 1), 0, 1}
end
local floor = tonumber(redis.call('HGET', KEYS[2], 'floor') or '') or base
if redis.call('HGET', KEYS[2], 'produced') == ARGV[4] then
  floor = floor * 2
end
floor = math.min(math.max(floor, base), longest)
redis.call('SET', KEYS[1], ARGV[1], 'PX', floor)
redis.call('HSET', KEYS[2], 'floor', floor, 'produced', ARGV[5])
redis.call('PEXPIRE', KEYS[2], day)
if redis.call('INCR', KEYS[3]) == 1 then
  redis.call('PEXPIRE', KEYS[3], day)
end
return {1, floor, left - 1}
