-- Replaces the locks of freshly sold seats with a permanent "BOOKED|<bookingId>" marker, so later
-- hold attempts on them are refused by Redis without a database round trip. The database stays
-- the authority: a lost marker only costs that round trip.
--
-- KEYS[i]  lock keys
-- ARGV[1]  bookingId
for i = 1, #KEYS do
  local key = KEYS[i]
  redis.call('SET', key, 'BOOKED|' .. ARGV[1])
end
return #KEYS
