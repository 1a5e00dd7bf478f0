// Queue policy switches. Encryption at rest of queued files is off unless the clinic's admin policy
// turns it on.
// TODO(issue 6): take this from the clinic's admin policy once the server publishes one.
export const ENCRYPT_QUEUED_FILES = false;
