-- Fishlens schema, first version. Each later file adds or changes tables, in name order.

-- A small key/value table for facts about this installation (first start, demo packs published).
CREATE TABLE app_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
