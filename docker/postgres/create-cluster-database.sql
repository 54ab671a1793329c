-- The `cluster` profile's API instances keep their data apart from the Sentinel ones: each stack
-- has its own Redis, so seat locks, versions and live updates must not span the two.
-- (Run once, when the PostgreSQL volume is first initialised.)
CREATE DATABASE seats_cluster OWNER seats;
