-- The changes stamped with these versions are committed (or rolled back): no longer in flight.
--
-- KEYS[1]  "seats:inflight:{<showId>}"
-- KEYS[2]  "seats:deadline:{<showId>}"
-- ARGV     the versions
for i = 1, #ARGV do
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
end
return #ARGV
