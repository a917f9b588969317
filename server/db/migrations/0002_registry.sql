-- The built-in model registry: registered models, their immutable versions (with the file
-- manifest of each), and aliases that point at versions. Files themselves live in object storage
-- under storage_prefix. Runs unchanged on PostgreSQL 15 and PGlite.

CREATE TABLE registered_models (
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE model_versions (
  name text NOT NULL REFERENCES registered_models (name),
  version integer NOT NULL CHECK (version > 0),
  -- sha256 of the pack's manifest.json: publishing the same pack twice finds this version.
  pack_sha256 text NOT NULL CHECK (pack_sha256 ~ '^[0-9a-f]{64}$'),
  storage_prefix text NOT NULL,
  metadata jsonb NOT NULL,
  description text NOT NULL DEFAULT '',
  label_count integer NOT NULL CHECK (label_count >= 0),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version),
  UNIQUE (name, pack_sha256)
);

CREATE TABLE model_version_files (
  name text NOT NULL,
  version integer NOT NULL,
  path text NOT NULL CHECK (path !~ '(^|/)\.\.?(/|$)' AND path !~ '^/' AND length(path) <= 200),
  size bigint NOT NULL CHECK (size >= 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (name, version, path),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE
);

CREATE TABLE model_aliases (
  name text NOT NULL REFERENCES registered_models (name),
  alias text NOT NULL CHECK (alias ~ '^[a-z][a-z0-9_-]{0,63}$'),
  version integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, alias),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE
);

CREATE INDEX model_aliases_by_alias ON model_aliases (alias);

-- Versions are immutable once published: no UPDATE of a version or of its file list.
CREATE FUNCTION refuse_model_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'model versions are immutable once published (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER model_versions_immutable BEFORE UPDATE ON model_versions
  FOR EACH ROW EXECUTE FUNCTION refuse_model_version_change();
CREATE TRIGGER model_version_files_immutable BEFORE UPDATE ON model_version_files
  FOR EACH ROW EXECUTE FUNCTION refuse_model_version_change();
