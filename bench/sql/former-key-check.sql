-- The check every import and re-key makes: an incident's people still sealed under a former key.
-- Side by side in one run, on two incidents of 1,000,000 people each, all under the current key ('k2'):
-- "key_id <> current" (the query before the (incident_id, key_id) index) against "key_id < current OR
-- key_id > current" (the query now), each with and without the index.
-- Usage: psql "postgresql://postgres:...@127.0.0.1:5432/postgres" -v ON_ERROR_STOP=1 -f bench/sql/former-key-check.sql
\timing off
DROP TABLE IF EXISTS former_key_check;
-- The columns of affected_people the check touches or carries, and its unique (incident_id, blind_index) index.
CREATE TABLE former_key_check (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, incident_id uuid NOT NULL, blind_index bytea NOT NULL,
    key_id varchar(16) NOT NULL, sealed bytea NOT NULL, residence varchar(8) NOT NULL, data_elements int NOT NULL);
INSERT INTO former_key_check (incident_id, blind_index, key_id, sealed, residence, data_elements)
SELECT CASE WHEN g % 2 = 0 THEN '11111111-1111-1111-1111-111111111111'::uuid ELSE '22222222-2222-2222-2222-222222222222'::uuid END,
       sha256(g::text::bytea), 'k2', repeat('x', 180)::bytea, 'US-CA', 3
FROM generate_series(1, 2000000) g;
CREATE UNIQUE INDEX ON former_key_check (incident_id, blind_index);
VACUUM ANALYZE former_key_check;

\echo '--- without the (incident_id, key_id) index: not the current key'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM former_key_check
WHERE incident_id = '11111111-1111-1111-1111-111111111111' AND key_id <> 'k2' ORDER BY id LIMIT 5000;
\echo '--- without the index: before or after the current key'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM former_key_check
WHERE incident_id = '11111111-1111-1111-1111-111111111111' AND (key_id < 'k2' OR key_id > 'k2') ORDER BY id LIMIT 5000;

CREATE INDEX ON former_key_check (incident_id, key_id);
ANALYZE former_key_check;
\echo '--- with the index: not the current key'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM former_key_check
WHERE incident_id = '11111111-1111-1111-1111-111111111111' AND key_id <> 'k2' ORDER BY id LIMIT 5000;
\echo '--- with the index: before or after the current key (the query now)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM former_key_check
WHERE incident_id = '11111111-1111-1111-1111-111111111111' AND (key_id < 'k2' OR key_id > 'k2') ORDER BY id LIMIT 5000;

DROP TABLE former_key_check;
