// Queue messages carry ids only, never DICOM bytes (128 KB message limit, no PHI in transit logs).
import { z } from "zod";
import { SessionId } from "./common";

export const ForwardMessage = z.object({
  type: z.literal("forward"),
  sessionId: SessionId,
});
export type ForwardMessage = z.infer<typeof ForwardMessage>;
