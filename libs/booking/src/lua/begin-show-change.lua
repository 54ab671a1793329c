-- Takes the next version of a show for a change whose transaction is about to commit, marks it in
-- flight until `end-show-change.lua` (or its deadline, if the process died first), and records
-- which seats it changes, so a snapshot can be brought up to date by reading only those.
--
-- KEYS[1]  "seats:version:{<showId>}"   the show's last version
-- KEYS[2]  "seats:inflight:{<showId>}"  sorted set: versions whose changes may not be committed yet
-- KEYS[3]  "seats:deadline:{<showId>}"  hash: in-flight version -> deadline (ms)
-- KEYS[4]  "seats:changed:{<showId>}"   sorted set: seat id -> version of its latest change;
--                                       "*" -> version of the latest change of the whole show
-- ARGV[1]  now, in ms since the epoch
-- ARGV[2]  how long an in-flight version may stay in flight, in ms
-- ARGV[3]  when the show's keys expire, in ms since the epoch (all four keys live until then)
-- ARGV[4…] the seat ids the change touches; none: the whole show (created or deleted)
--
-- A version is at least now in microseconds: if Redis lost recent writes (a flush, a failover
-- that lost the last increments), versions still grow, and a client never sees one go back.
-- Without its version key a show's record of changed seats cannot be trusted: "*" says so.
local now = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local version = math.max(last + 1, now * 1000)
-- The in-flight member is the version's decimal digits, as `end-show-change.lua` receives it
-- (written out: a Lua number as a member is formatted by the engine, and not every engine writes
-- all the digits).
local id = string.format('%.0f', version)
redis.call('SET', KEYS[1], id)
redis.call('ZADD', KEYS[2], version, id)
redis.call('HSET', KEYS[3], id, now + tonumber(ARGV[2]))
if #ARGV == 3 or last == 0 then
  redis.call('ZADD', KEYS[4], version, '*')
end
for i = 4, #ARGV do
  redis.call('ZADD', KEYS[4], version, ARGV[i])
end
for i = 1, 4 do
  redis.call('PEXPIREAT', KEYS[i], ARGV[3])
end
return version
