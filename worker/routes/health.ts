// /api/health: liveness for scripts and load balancers; says nothing about data.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";

export const health = new Hono<AppEnv>().get("/", (c) => c.json({ ok: true }));
