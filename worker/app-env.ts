// The Hono environment type shared by every route module.
import type { Principal } from "./auth/tokens";

export interface AppEnv {
  Bindings: Env;
  Variables: { principal: Principal };
}
