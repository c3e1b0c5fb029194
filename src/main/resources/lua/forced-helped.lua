-- A forced refresh helped (the call it was for went through with the new token): the client's floor
-- goes back to its base, the claim in force included.
-- KEYS[1]: the claim; KEYS[2]: the damping (one hash slot). ARGV[1]: the base floor in ms.
-- Returns 1.
if redis.call('PTTL', KEYS[1]) > tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
redis.call('DEL', KEYS[2])
return 1
