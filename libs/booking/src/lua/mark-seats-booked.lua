-- Replaces the locks of freshly sold seats with a "BOOKED|<bookingId>" marker, so later hold
-- attempts on them are refused by Redis without a database round trip. A marker lives until its
-- show's keys expire (the show's start plus REDIS_SHOW_GRACE_HOURS). The database stays the
-- authority: a lost marker only costs that round trip, and a marker the database contradicts is
-- removed by the reconciliation pass.
--
-- KEYS[i]  lock keys
-- ARGV[1]  bookingId
-- ARGV[2]  when the show's keys expire, in ms since the epoch
for i = 1, #KEYS do
  local key = KEYS[i]
  redis.call('SET', key, 'BOOKED|' .. ARGV[1])
  redis.call('PEXPIREAT', key, ARGV[2])
end
return #KEYS
