-- PACS destinations. A clinic forwards to the destination its destination_id names, or, when that
-- is NULL, to the deployment's default (PACS_URL and friends). The config is the contract's
-- DestinationConfig as JSON; credentials are never stored, only the names of worker secrets.
CREATE TABLE destinations (
  id TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

ALTER TABLE clinics ADD COLUMN destination_id TEXT REFERENCES destinations(id);
