-- Moves the expiry of this user's hold locks to the extended holds' (the database has already
-- extended them): each lock lapses, and its expiry event fires, with the hold it mirrors.
-- Locks that are gone or not this user's are left alone: the database still decides.
--
-- KEYS[i]    lock keys
-- ARGV[1]    the user
-- ARGV[i+1]  milliseconds left of the hold of KEYS[i]
-- Returns the number of locks moved.
local moved = 0
for i = 1, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if value then
    local sep = string.find(value, '|', 1, true)
    if sep ~= nil and string.sub(value, 1, sep - 1) ~= 'BOOKED' and string.sub(value, sep + 1) == ARGV[1] then
      redis.call('PEXPIRE', KEYS[i], math.max(1, tonumber(ARGV[i + 1])))
      moved = moved + 1
    end
  end
end
return moved
