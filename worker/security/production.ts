// Settings a production deployment must not run with. Development is lenient (plain-HTTP local
// Orthanc); with ENVIRONMENT=production the API refuses to work until these are fixed, and says so.
export interface ProductionSettings {
  ENVIRONMENT?: string;
  PACS_URL?: string;
  JWT_SECRET?: string;
}

/** Plain-language problems; empty when the deployment is safe to serve (or not production). */
export function productionProblems(env: ProductionSettings): string[] {
  if (env.ENVIRONMENT !== "production") return [];
  const problems: string[] = [];
  const url = env.PACS_URL ?? "";
  if (!/^https:\/\//.test(url)) {
    problems.push("PACS_URL must be an https:// address in production (patient data in transit).");
  } else if (/^https:\/\/(127\.|localhost|\[::1\])/.test(url)) {
    problems.push(
      "PACS_URL points at this machine (loopback), which a deployed worker cannot reach.",
    );
  }
  if ((env.JWT_SECRET ?? "").length < 64) {
    problems.push(
      "JWT_SECRET must be at least 64 characters in production: `openssl rand -hex 32 | wrangler secret put JWT_SECRET`.",
    );
  }
  return problems;
}
