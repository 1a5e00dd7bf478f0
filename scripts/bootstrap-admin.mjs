#!/usr/bin/env node
// One-time bootstrap of a clinic and its first admin, straight into D1 with `wrangler d1 execute`
// (the API only lets admins create users, so the first one has to come from here).
// Usage: node scripts/bootstrap-admin.mjs --email a@b.org --name "A B" --clinic "Clinic"
//        [--password P] [--local (default) | --remote] [--persist-to DIR]
import { randomBytes, randomUUID, webcrypto } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { wrangler } from "./lib/processes.mjs";

// Must match worker/auth/passwords.ts: PBKDF2-SHA256, hex salt, hex 32-byte hash. workerd refuses
// more than 100,000 iterations.
export const PBKDF2_ITERATIONS = 100_000;

const EMAIL = /^[^\s@'"`\\;]+@[^\s@'"`\\;]+\.[^\s@'"`\\;]+$/;

const hex = (bytes) => Buffer.from(bytes).toString("hex");

async function hashPassword(password, salt) {
  const key = await webcrypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await webcrypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: PBKDF2_ITERATIONS },
    key,
    256,
  );
  return hex(new Uint8Array(bits));
}

/** A SQL text literal built from hex only, so no user-supplied character reaches the SQL text. */
const sqlText = (value) => `CAST(X'${hex(Buffer.from(value, "utf8"))}' AS TEXT)`;

function fail(message) {
  console.error(`bootstrap-admin: ${message}`);
  process.exit(1);
}

function readOptions() {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      name: { type: "string" },
      clinic: { type: "string" },
      password: { type: "string" },
      local: { type: "boolean" },
      remote: { type: "boolean" },
      "persist-to": { type: "string" },
    },
  });
  const email = values.email?.trim().toLowerCase() ?? "";
  if (!EMAIL.test(email) || email.length > 254) fail("--email must be a plain email address");
  for (const field of ["name", "clinic"]) {
    const value = values[field]?.trim() ?? "";
    if (value === "" || value.length > 200 || /\p{Cc}/u.test(value)) {
      fail(`--${field} is required (1-200 characters, one line)`);
    }
    values[field] = value;
  }
  if (values.local && values.remote) fail("choose one of --local and --remote");
  if (values.remote && values["persist-to"]) fail("--persist-to only applies to --local");
  if (values.password !== undefined && values.password.length < 12) {
    fail("--password must have at least 12 characters");
  }
  const target = values.remote
    ? ["--remote"]
    : ["--local", ...(values["persist-to"] ? ["--persist-to", values["persist-to"]] : [])];
  return { email, name: values.name, clinic: values.clinic, password: values.password, target };
}

async function d1(target, sqlArgs) {
  const out = await wrangler(["d1", "execute", "DB", ...target, "--json", "--yes", ...sqlArgs]);
  return JSON.parse(out);
}

async function main() {
  const { email, name, clinic, password: given, target } = readOptions();
  const [existing] = await d1(target, [
    "--command",
    `SELECT COUNT(*) AS n FROM users WHERE email = ${sqlText(email)}`,
  ]);
  if (existing?.results?.[0]?.n !== 0) fail(`a user with email ${email} already exists`);

  const password = given ?? randomBytes(18).toString("base64url");
  const salt = randomBytes(16);
  const hash = await hashPassword(password, salt);
  const clinicId = randomUUID();
  const userId = randomUUID();
  const now = Date.now();
  const sql = [
    `INSERT INTO clinics (id, name, created_at) VALUES ('${clinicId}', ${sqlText(clinic)}, ${now});`,
    `INSERT INTO users (id, clinic_id, email, name, role, password_hash, password_salt,` +
      ` password_iterations, disabled, created_at) VALUES ('${userId}', '${clinicId}',` +
      ` ${sqlText(email)}, ${sqlText(name)}, 'admin', '${hash}', '${hex(salt)}',` +
      ` ${PBKDF2_ITERATIONS}, 0, ${now});`,
  ].join("\n");
  // A file rather than --command: wrangler runs a file's statements as one batch.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relaypacs-bootstrap-"));
  try {
    fs.writeFileSync(path.join(dir, "bootstrap.sql"), sql);
    await d1(target, ["--file", path.join(dir, "bootstrap.sql")]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`Created clinic "${clinic}" (${clinicId}) and its admin ${email} (${userId}).`);
  if (given === undefined) console.log(`Password (shown once, store it now): ${password}`);
}

await main();
