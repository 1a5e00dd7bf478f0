-- The audit log: one row per event that matters to an admin (sign-in, enrollment, upload session
-- created/completed/delivered/failed, re-drive, destination change, user and device changes).
-- Ids, counts, bytes, outcomes and reason codes only: never a patient's name, id, birth date or
-- a clinical note. No foreign keys: a row outlives what it mentions.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  clinic_id TEXT,
  user_id TEXT,
  device_id TEXT,
  event TEXT NOT NULL,
  outcome TEXT NOT NULL,
  session_id TEXT,
  subject_id TEXT,
  files INTEGER,
  accepted INTEGER,
  stored INTEGER,
  failed INTEGER,
  bytes INTEGER,
  retries INTEGER,
  reasons TEXT,
  -- Set for events that may be reported twice (a queue message delivered again): one row only.
  dedupe_key TEXT UNIQUE
);
CREATE INDEX audit_clinic_at ON audit_events(clinic_id, at);
CREATE INDEX audit_session ON audit_events(session_id, event);
CREATE INDEX audit_device ON audit_events(device_id, event);
