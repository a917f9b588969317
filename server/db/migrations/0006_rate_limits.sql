-- Token buckets of the rate limits (server/ingest/rate-limit.ts), shared by every replica so a
-- limit holds for the whole service. `key` is `<scope>:<device or address>`. UNLOGGED: no WAL
-- is written for them, and after a crash PostgreSQL empties the table, which only means full
-- buckets for everyone (the limits are against floods, not an account of use).
CREATE UNLOGGED TABLE rate_limit_buckets (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  -- Whether the last take got a token; returned by the same upsert that spends it.
  allowed boolean NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX rate_limit_buckets_updated_idx ON rate_limit_buckets (updated_at);
