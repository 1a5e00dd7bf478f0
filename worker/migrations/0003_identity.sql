-- Identity: devices, sign-in sessions (one refresh-token family each, the `sid` claim of every
-- token), refresh tokens (stored hashed) and enrollment codes (stored hashed).
-- People enrolled with a code give a name and a password, not an email: `users.email` becomes
-- optional. SQLite cannot drop NOT NULL in place, so the table is rebuilt (same columns, same
-- rows); foreign keys are checked at the end of the migration, when the rows are back.
PRAGMA defer_foreign_keys = true;

CREATE TABLE users_copy AS SELECT * FROM users;
DROP TABLE users;
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL REFERENCES clinics(id),
  email TEXT UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'uploader')),
  password_hash TEXT NOT NULL,
  password_salt TEXT NOT NULL,
  password_iterations INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
-- Inserting the parents again settles the deferred checks the DROP raised for upload_sessions.
INSERT INTO users (id, clinic_id, email, name, role, password_hash, password_salt,
  password_iterations, disabled, created_at)
SELECT id, clinic_id, email, name, role, password_hash, password_salt, password_iterations,
  disabled, created_at FROM users_copy;
DROP TABLE users_copy;
CREATE INDEX users_clinic ON users(clinic_id);

-- A phone, tablet or PC someone signed in on (enrolled with a code, or signed in with a password).
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL REFERENCES clinics(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  enrollment_id TEXT,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX devices_clinic ON devices(clinic_id);
CREATE INDEX devices_user ON devices(user_id);

-- One sign-in: a refresh-token family. Revoking it ends every token that carries its id at once.
CREATE TABLE auth_sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  device_id TEXT NOT NULL REFERENCES devices(id),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoked_reason TEXT
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);
CREATE INDEX auth_sessions_device ON auth_sessions(device_id);

-- SHA-256 of each refresh token. `used_at` is set when it is exchanged for the next one: a token
-- presented again after that is a replay, and its whole family is revoked.
CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES auth_sessions(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  replaced_by TEXT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

-- Single-use enrollment codes an admin hands out (QR code or link). Only the hash is kept.
-- user_id and device_id say what the code created (no foreign key: they are written in the same
-- batch that claims the code, before the user row exists).
CREATE TABLE enrollments (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL REFERENCES clinics(id),
  role TEXT NOT NULL CHECK (role IN ('admin', 'uploader')),
  person_name TEXT,
  code_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  user_id TEXT,
  device_id TEXT,
  revoked_at INTEGER
);
CREATE INDEX enrollments_clinic ON enrollments(clinic_id, created_at);
