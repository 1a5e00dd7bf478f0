// The app's API clients, all same-origin through the browser's fetch, every answer parsed with the
// contract: `api` (uploads, the uploader core's client), `identityApi` (sign-in, enrollment) and
// `adminApi` (the admin console). An answer saying the sign-in is over (device revoked, account
// disabled, signed out elsewhere) signs this device out with the server's own words.
import {
  AuditPage,
  ClinicPolicy,
  ConnectionTestResult,
  Destination,
  DeviceList,
  DeviceView,
  EnrollmentCreated,
  EnrollmentList,
  EnrollmentView,
  ErrorBody,
  Metrics,
  SessionStatus,
  UserList,
  AdminUserView,
  type AuditOutcome,
  type ClinicPolicyChange,
  type CreateEnrollmentRequest,
  type DestinationConfig,
} from "$contract";
import type { z } from "zod";
import { auth } from "./auth.svelte";
import { createAuthApi } from "./session/auth-api";
import { jsonInit, request, requestJson } from "./session/http";
import { endsSignInCode, SIGNED_OUT_MESSAGE } from "./session/sign-in-end";
import { ApiError, createApi } from "./uploader/api";
import type { Transport } from "./uploader/ports";

/** fetch, watching for answers that end the sign-in (read from a copy: the caller gets the body). */
const watchedFetch: Transport = async (url, init) => {
  const response = await fetch(url, init);
  if ((response.status === 401 || response.status === 403) && !url.startsWith("/api/auth/")) {
    void signOutIfEnded(response.clone());
  }
  return response;
};

async function signOutIfEnded(response: Response): Promise<void> {
  const body = ErrorBody.safeParse(await response.json().catch(() => null));
  if (!body.success || !endsSignInCode(body.data.error.code)) return;
  const { code, message } = body.data.error;
  auth.signOut(message, { forgetDevice: code === "device_revoked" });
}

export const api = createApi(watchedFetch);

export const identityApi = createAuthApi((url, init) => fetch(url, init));

/** Runs `call` with a fresh access token; signed out: rejects with the reason in words. */
async function withAccess<T>(call: (token: string) => Promise<T>): Promise<T> {
  const token = await auth.freshAccessToken();
  if (token === null) throw new ApiError("signed_out", auth.notice ?? SIGNED_OUT_MESSAGE, 401);
  return call(token);
}

function get<T extends z.ZodType>(schema: T, path: string) {
  return withAccess((token) => requestJson(watchedFetch, schema, path, jsonInit("GET", token)));
}

function send<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown) {
  return withAccess((token) =>
    requestJson(watchedFetch, schema, path, jsonInit(method, token, body)),
  );
}

export interface AuditFilter {
  /** ms since 1970 */
  from?: number;
  to?: number;
  user?: string;
  outcome?: AuditOutcome;
  limit?: number;
}

/** A query string of the parameters that have a value. */
function search(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  return params.toString();
}

const id = (value: string) => encodeURIComponent(value);

export const adminApi = {
  createEnrollment: (body: CreateEnrollmentRequest) =>
    send(EnrollmentCreated, "POST", "/api/admin/enrollments", body),
  enrollments: () => get(EnrollmentList, "/api/admin/enrollments"),
  withdrawEnrollment: (enrollmentId: string) =>
    send(EnrollmentView, "DELETE", `/api/admin/enrollments/${id(enrollmentId)}`),

  users: () => get(UserList, "/api/admin/users"),
  setUserDisabled: (userId: string, disabled: boolean) =>
    send(
      AdminUserView,
      "POST",
      `/api/admin/users/${id(userId)}/${disabled ? "disable" : "enable"}`,
    ),

  devices: () => get(DeviceList, "/api/admin/devices"),
  revokeDevice: (deviceId: string) =>
    send(DeviceView, "POST", `/api/admin/devices/${id(deviceId)}/revoke`),

  destination: () => get(Destination, "/api/admin/destination"),
  saveDestination: (config: DestinationConfig) =>
    send(Destination, "PUT", "/api/admin/destination", config),
  resetDestination: () => send(Destination, "DELETE", "/api/admin/destination"),

  audit: (filter: AuditFilter) => get(AuditPage, `/api/admin/audit?${search({ ...filter })}`),
  /** The same rows as CSV, as a file to save. */
  auditCsv: (filter: AuditFilter) =>
    withAccess(async (token) => {
      const path = `/api/admin/audit?${search({ ...filter, format: "csv" })}`;
      const response = await request(watchedFetch, path, jsonInit("GET", token));
      return response.blob();
    }),

  metrics: (window: { from?: number; to?: number } = {}) =>
    get(Metrics, `/api/admin/metrics?${search({ ...window })}`),
  testDestination: () => send(ConnectionTestResult, "POST", "/api/admin/destination/test"),
  policy: () => get(ClinicPolicy, "/api/admin/policy"),
  savePolicy: (change: ClinicPolicyChange) =>
    send(ClinicPolicy, "PUT", "/api/admin/policy", change),
  redrive: (sessionId: string) =>
    send(SessionStatus, "POST", `/api/admin/uploads/${id(sessionId)}/redrive`),
};
