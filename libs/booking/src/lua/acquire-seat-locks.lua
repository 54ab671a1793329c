-- Takes every seat lock of a hold request, or none (the all-or-nothing gate in front of the database).
--
-- KEYS[i]  lock key of seat i: "hold:{<showId>}:<seatId>" (the hash tag keeps one show on one slot)
-- ARGV[1]  lock value for new locks: "<holdId>|<userId>"
-- ARGV[2]  userId
-- ARGV[3]  lock TTL in milliseconds
--
-- Lock values are "<holdId>|<userId>" for a hold and "BOOKED|<bookingId>" for a sold seat.
-- Returns the string "<taken>:<status_1>,...,<status_n>" (a flat string, because ioredis-mock's
-- Lua engine cannot reliably return tables built at run time). taken is 1 if the new locks were
-- set and 0 if nothing was written; status_i is one of
--   NEW     free; locked now for this request (only when taken = 1)
--   MINE    already held by this user; left untouched, so re-holding never extends a hold
--   HELD    held by another user
--   BOOKED  sold
--   FREE    free but left unlocked, because another seat is in conflict (only when taken = 0)
local statuses = {}
local conflict = false
for i = 1, #KEYS do
  local key = KEYS[i]
  local value = redis.call('GET', key)
  if not value then
    statuses[i] = 'NEW'
  else
    local sep = string.find(value, '|', 1, true)
    if sep and string.sub(value, 1, sep - 1) == 'BOOKED' then
      statuses[i] = 'BOOKED'
      conflict = true
    elseif sep and string.sub(value, sep + 1) == ARGV[2] then
      statuses[i] = 'MINE'
    else
      statuses[i] = 'HELD'
      conflict = true
    end
  end
end
if conflict then
  for i = 1, #statuses do
    if statuses[i] == 'NEW' then statuses[i] = 'FREE' end
  end
  return '0:' .. table.concat(statuses, ',')
end
for i = 1, #KEYS do
  local key = KEYS[i]
  if statuses[i] == 'NEW' then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[3])
  end
end
return '1:' .. table.concat(statuses, ',')
