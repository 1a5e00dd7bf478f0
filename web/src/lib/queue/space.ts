// Room on the device for queued studies: ask the browser to keep our storage (persist), read how
// much is used and available (estimate), and refuse a study plainly, before accepting it, when it
// would not fit. Browsers give a site a share of the disk (Chromium up to 60%, iOS 17+ the same for
// installed apps); an un-installed site's storage may be cleared after 7 days without use.
import { formatBytes } from "../format";

export interface StoragePort {
  estimate(): Promise<{ usage?: number; quota?: number }>;
  /** Only pages may ask (workers have no persist()). */
  persist?: () => Promise<boolean>;
  persisted(): Promise<boolean>;
}

export interface SpaceInfo {
  usage: number;
  quota: number;
  /** The browser promised not to clear our storage under pressure. */
  persisted: boolean;
}

/** IndexedDB and our records take a little more than the files themselves. */
const MARGIN_FACTOR = 1.05;
const MARGIN_BYTES = 20 * 1000 * 1000;

/** A study refused before it was queued, with the reason in words. */
export class QueueRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueueRefused";
  }
}

export function browserStorage(): StoragePort | null {
  return typeof navigator !== "undefined" && "storage" in navigator ? navigator.storage : null;
}

export async function spaceInfo(port: StoragePort | null): Promise<SpaceInfo | null> {
  if (!port) return null;
  try {
    const [estimate, persisted] = await Promise.all([port.estimate(), port.persisted()]);
    if (estimate.quota === undefined || estimate.usage === undefined) return null;
    return { usage: estimate.usage, quota: estimate.quota, persisted };
  } catch {
    return null;
  }
}

/** Why a study of `bytes` does not fit, or null when it does (or when the browser will not say). */
export function spaceShortfall(info: SpaceInfo | null, bytes: number): string | null {
  if (!info) return null;
  const needed = Math.ceil(bytes * MARGIN_FACTOR) + MARGIN_BYTES;
  const free = Math.max(0, info.quota - info.usage);
  if (needed <= free) return null;
  return (
    `This study needs ${formatBytes(needed)} of space on this device, but only ` +
    `${formatBytes(free)} is free for RelayPACS. Free some space (for example videos or ` +
    `downloads you no longer need), or send fewer files at a time.`
  );
}

/** The refusal for a browser that ran out of room while storing (QuotaExceededError). */
export function quotaMessage(bytes: number): string {
  return (
    `This device ran out of space while keeping this study (${formatBytes(bytes)}). Free some ` +
    `space, or send fewer files at a time.`
  );
}

export function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === "QuotaExceededError";
}
