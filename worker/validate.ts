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
  // The contract's own words where it has them ("at least 10 characters"); never zod's defaults,
  // which read "expected array, received undefined".
  const parsed = schema.safeParse(raw, { error: () => "missing or not valid" });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "body";
    throw new AppError(
      "bad_request",
      `The request was not understood (${where}: ${issue?.message ?? "missing or not valid"}). Update the app and try again.`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** A non-negative integer path parameter, or a 400 naming it. */
export function intParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new AppError(
      "bad_request",
      `The ${name} in the address is not a valid number. Update the app and try again.`,
    );
  }
  return Number(value);
}
