-- Fixed-window rate limit shared by every API instance.
-- KEYS[1] hit counter, KEYS[2] block marker; ARGV[1] window ms, ARGV[2] limit, ARGV[3] block ms.
-- Returns "hits:windowMsLeft:blockMsLeft" (ioredis-mock's Lua cannot return tables).
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local windowLeft = redis.call('PTTL', KEYS[1])
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blockLeft = tonumber(ARGV[3])
end
return hits .. ':' .. windowLeft .. ':' .. blockLeft
