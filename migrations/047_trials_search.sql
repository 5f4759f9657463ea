-- Words of each study in the registry copy (titles, conditions, keywords, interventions), so a
-- reviewer can search the whole copy rather than only the studies suggested for the case.
ALTER TABLE trials ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig,
  title || ' ' || coalesce(record->>'officialTitle', '') || ' ' || coalesce((record->'conditions')::text, '') || ' '
  || coalesce((record->'keywords')::text, '') || ' ' || coalesce(jsonb_path_query_array(record, '$.interventions[*].name')::text, ''))) STORED;
CREATE INDEX trials_search_idx ON trials USING gin (search);
