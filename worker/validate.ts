// Parsing at the trust boundary: request bodies and params go through a zod schema, never a cast.
import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "./errors";

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch (cause) {
    throw new AppError(
      "bad_request",
      "The request was not valid JSON. Update the app and try again.",
      {
        cause,
      },
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join(".") || "body";
    throw new AppError(
      "bad_request",
      `The request was not understood (${where}: ${parsed.error.issues[0]?.message ?? "invalid"}). Update the app and try again.`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** A non-negative integer path parameter, or a 400 naming it. */
export function intParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new AppError("bad_request", `The ${name} in the address is not a valid number.`);
  }
  return Number(value);
}
