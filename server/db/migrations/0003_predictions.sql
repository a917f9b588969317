-- Devices and the predictions they log. Runs unchanged on PostgreSQL 15 and PGlite.

-- A device registers once; it keeps a random 256-bit token, the server only its sha256.
CREATE TABLE devices (
  id uuid PRIMARY KEY,
  token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per prediction made on a device. `id` is the UUID the device made: a resent prediction
-- conflicts on it and is counted as a duplicate, never stored twice.
CREATE TABLE predictions (
  id uuid PRIMARY KEY,
  device_id uuid NOT NULL REFERENCES devices (id),
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  model_name text NOT NULL,
  model_version text NOT NULL,
  -- The most probable label and its probability, for queries; `top` keeps up to 5 as sent.
  top_label text NOT NULL,
  top_probability double precision NOT NULL CHECK (top_probability >= 0 AND top_probability <= 1),
  top jsonb NOT NULL,
  not_sure boolean NOT NULL,
  latency_ms double precision NOT NULL CHECK (latency_ms >= 0),
  backend text NOT NULL,
  app_version text NOT NULL,
  -- The species the user says is right, chosen later in History.
  feedback_label text,
  feedback_at timestamptz
);

CREATE INDEX predictions_device_created_idx ON predictions (device_id, created_at);
CREATE INDEX predictions_model_created_idx ON predictions (model_name, model_version, created_at);
