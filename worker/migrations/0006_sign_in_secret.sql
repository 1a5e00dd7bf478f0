-- What a clinic asks people enrolling to choose: 'password' (at least 10 characters, the default)
-- or 'pin' (6 to 12 digits). Only new enrollments follow it: existing secrets keep working.
ALTER TABLE clinics ADD COLUMN sign_in_secret TEXT NOT NULL DEFAULT 'password'
  CHECK (sign_in_secret IN ('password', 'pin'));
