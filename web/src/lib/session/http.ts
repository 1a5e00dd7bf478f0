// JSON requests to the RelayPACS API for the session core and the admin console: every answer
// parsed with a contract schema, every failure an ApiError with the server's code and message.
// (The uploader core has its own client in ../uploader/api.ts; this one shares its ApiError.)
import type { z } from "zod";
import { ApiError, NETWORK_ERROR_MESSAGE, readJson } from "../uploader/api";
import type { Transport } from "../uploader/ports";
import { ErrorBody } from "./contract";

const UNREADABLE_ANSWER_MESSAGE =
  "The server gave an answer this app could not read. Please try again in a few minutes.";

/** Sends one request; resolves with the response when it is a 2xx, else rejects with ApiError. */
export async function request(
  transport: Transport,
  path: string,
  init: RequestInit,
): Promise<Response> {
  let response: Response;
  try {
    response = await transport(path, init);
  } catch (cause) {
    // Also a timeout (AbortSignal.timeout): to the person it is the same "could not reach".
    throw new ApiError("network", NETWORK_ERROR_MESSAGE, 0, { cause });
  }
  if (response.ok) return response;
  const parsed = ErrorBody.safeParse(await readJson(response));
  if (parsed.success) {
    throw new ApiError(parsed.data.error.code, parsed.data.error.message, response.status);
  }
  throw new ApiError(`http_${response.status}`, unexplained(response.status), response.status);
}

/** A request whose 2xx answer is JSON of `schema`. */
export async function requestJson<T extends z.ZodType>(
  transport: Transport,
  schema: T,
  path: string,
  init: RequestInit,
): Promise<z.infer<T>> {
  const response = await request(transport, path, init);
  const parsed = schema.safeParse(await readJson(response));
  if (!parsed.success) {
    throw new ApiError("bad_response", UNREADABLE_ANSWER_MESSAGE, response.status, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Headers and body of a JSON request, with the access token when one is given. */
export function jsonInit(method: string, token: string | null, body?: unknown): RequestInit {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body === undefined) return { method, headers };
  headers["content-type"] = "application/json";
  return { method, headers, body: JSON.stringify(body) };
}

function unexplained(status: number): string {
  if (status === 401) return "Your sign-in has ended. Please sign in again.";
  if (status >= 500) {
    return `The server had a problem (error ${status}). Please try again in a few minutes.`;
  }
  return `The server refused the request (error ${status}).`;
}
