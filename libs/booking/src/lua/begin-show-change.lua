-- Takes the next version of a show for a change whose transaction is about to commit, and marks
-- it in flight until `end-show-change.lua` (or its deadline, if the process died first).
--
-- KEYS[1]  "seats:version:{<showId>}"   the show's last version
-- KEYS[2]  "seats:inflight:{<showId>}"  sorted set: versions whose changes may not be committed yet
-- KEYS[3]  "seats:deadline:{<showId>}"  hash: in-flight version -> deadline (ms)
-- ARGV[1]  now, in ms since the epoch
-- ARGV[2]  how long an in-flight version may stay in flight, in ms
--
-- A show without a version starts at now in microseconds: if Redis lost the key (flush, failover),
-- versions still grow, so a client never sees a version go back.
local version
if redis.call('EXISTS', KEYS[1]) == 1 then
  version = redis.call('INCR', KEYS[1])
else
  version = tonumber(ARGV[1]) * 1000
  redis.call('SET', KEYS[1], version)
end
redis.call('ZADD', KEYS[2], version, version)
redis.call('HSET', KEYS[3], version, tonumber(ARGV[1]) + tonumber(ARGV[2]))
return version
