-- The version a seat map read now may be stamped with (its read version): every change stamped with this version or
-- an earlier one is committed, so a read of the database that starts after this call sees them.
-- That is the last version, or just below the oldest one still in flight. In-flight versions past
-- their deadline belonged to a process that died mid-transaction; they are dropped.
--
-- KEYS[1]  "seats:version:{<showId>}"
-- KEYS[2]  "seats:inflight:{<showId>}"
-- KEYS[3]  "seats:deadline:{<showId>}"
-- ARGV[1]  now, in ms since the epoch
while true do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #oldest == 0 then break end
  local deadline = redis.call('HGET', KEYS[3], oldest[1])
  if deadline and tonumber(deadline) > tonumber(ARGV[1]) then
    return tonumber(oldest[1]) - 1
  end
  redis.call('ZREM', KEYS[2], oldest[1])
  redis.call('HDEL', KEYS[3], oldest[1])
end
return tonumber(redis.call('GET', KEYS[1]) or '0')
