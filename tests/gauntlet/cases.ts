// The bad-input gauntlet (issue 8): every hostile or broken input, the layer it attacks, how it is
// built and the plain message it must end with. Two runners take their share: the browser one
// (tests/e2e/gauntlet.test.ts) the intake cases, the workerd one (tests/integration/
// gauntlet.test.ts) the protocol and forward cases. `npm run gauntlet` runs both.
import type { GauntletCase } from "./case-types";
import { FORWARD_CASES } from "./cases-forward";
import { INTAKE_CASES } from "./cases-intake";
import { PROTOCOL_CASES } from "./cases-protocol";

export type {
  ForwardCase,
  GauntletCase,
  IntakeCase,
  ProtocolApi,
  ProtocolCase,
} from "./case-types";
export { FORWARD_CASES, INTAKE_CASES, PROTOCOL_CASES };

export const GAUNTLET: readonly GauntletCase[] = [
  ...INTAKE_CASES,
  ...PROTOCOL_CASES,
  ...FORWARD_CASES,
];

const seen = new Set<string>();
for (const c of GAUNTLET) {
  const key = `${c.layer} ${c.id}`;
  if (seen.has(key)) throw new Error(`two gauntlet cases are called "${key}"`);
  seen.add(key);
}
