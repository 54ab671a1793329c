-- Deletes seat locks that still carry the expected value, and only those: a lock that has since
-- expired and been taken by someone else is left alone.
--
-- KEYS[i]  lock keys
-- ARGV[1]  "value": delete when the lock value equals ARGV[2] exactly (undo of one hold request)
--          "owner": delete when the lock is a hold whose user part equals ARGV[2] (release)
-- Returns the number of locks deleted.
local deleted = 0
for i = 1, #KEYS do
  local key = KEYS[i]
  local value = redis.call('GET', key)
  if value then
    local matches
    if ARGV[1] == 'value' then
      matches = value == ARGV[2]
    else
      local sep = string.find(value, '|', 1, true)
      matches = sep ~= nil and string.sub(value, 1, sep - 1) ~= 'BOOKED' and string.sub(value, sep + 1) == ARGV[2]
    end
    if matches then
      redis.call('DEL', key)
      deleted = deleted + 1
    end
  end
end
return deleted
