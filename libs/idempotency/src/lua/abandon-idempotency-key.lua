-- Frees a key whose request ended without a storable answer (a 5xx, or refused before it ran),
-- but only if it still carries this request's own marker.
--
-- KEYS[1]  the record key
-- ARGV[1]  the marker this request stored
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
