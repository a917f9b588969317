-- A pack's version is a positive integer, as the registry numbers it (model_versions.version).
-- Predictions kept it as text, so "10" sorted before "2" and a version could be any string.
--
-- Every stored value that is a positive integer within PostgreSQL's `integer` range becomes that
-- number. Any other value (possible only from a client that sent a non-numeric version while the
-- API still took any text) keeps its row: model_version becomes NULL and the text is kept verbatim
-- in model_version_unparsed, so nothing is lost and it can still be read or mapped by hand.
-- Statistics count only rows with a version number. New rows always have one (the API checks).
--
-- ALTER ... TYPE rewrites the table under an exclusive lock: on a large table, run it in a quiet
-- hour (the server migrates on start; the Kubernetes migration Job runs before the rollout).

ALTER TABLE predictions ADD COLUMN model_version_unparsed text;

-- CASE keeps the cast from running on text that is not digits (AND would not guarantee that).
UPDATE predictions SET model_version_unparsed = model_version
WHERE CASE WHEN model_version ~ '^[0-9]{1,10}$'
           THEN model_version::bigint NOT BETWEEN 1 AND 2147483647
           ELSE true END;

ALTER TABLE predictions
  ALTER COLUMN model_version DROP NOT NULL,
  ALTER COLUMN model_version TYPE integer
    USING CASE WHEN model_version_unparsed IS NULL THEN model_version::integer END,
  ADD CONSTRAINT predictions_model_version_positive CHECK (model_version > 0),
  -- Exactly one of the two says which version made the prediction.
  ADD CONSTRAINT predictions_model_version_known
    CHECK ((model_version IS NULL) = (model_version_unparsed IS NOT NULL));
