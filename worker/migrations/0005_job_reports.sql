-- What the PWA's offline queue reports when a job settles (for the dashboard's offline queue
-- completion rate and client retries per study), and the clinic's queue policy.
-- Opaque references, times, counts and outcomes only: never patient data. One row per job and
-- clinic: a report sent again (its answer was lost) changes nothing.
CREATE TABLE job_reports (
  clinic_id TEXT NOT NULL,
  ref TEXT NOT NULL,
  user_id TEXT,
  device_id TEXT,
  session_id TEXT,
  outcome TEXT NOT NULL,
  queued_offline INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  settled_at INTEGER NOT NULL,
  retries INTEGER NOT NULL,
  bytes_resent INTEGER NOT NULL,
  files INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (clinic_id, ref)
);
CREATE INDEX job_reports_clinic_received ON job_reports(clinic_id, received_at);

-- Keep queued studies encrypted at rest on the clinic's devices (1) or not (0).
ALTER TABLE clinics ADD COLUMN encrypt_queued_files INTEGER NOT NULL DEFAULT 0;
