-- Extends a client's refresh lock only if the caller still owns it.
-- KEYS[1]: the lock; ARGV[1]: the owner's unique value; ARGV[2]: the new lease in ms.
-- Returns 1 if extended, 0 if the lock was lost.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
