-- Claims an idempotency key, or reports who has it.
--
-- KEYS[1]  the record key
-- ARGV[1]  the in-progress marker to store (JSON)
-- ARGV[2]  the marker's TTL in milliseconds: if the process dies mid-request, the key frees itself
-- Returns "" when the key was claimed now, else the record already stored (marker or response).
local existing = redis.call('GET', KEYS[1])
if existing then
  return existing
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ''
