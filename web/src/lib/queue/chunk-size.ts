// Bandwidth-aware chunk size. Pure: fed the time each chunk took, it aims for chunks of about
// TARGET_MS each, so a slow link sends small pieces (a cut loses little) and a fast one large
// pieces (per-request overhead stays small). Always within the server's bounds.
//
// Rules: the rate is a moving average of chunks that were at least half the planned size (a file's
// short last piece is all latency and would mislead); the next size is rate x target, at most
// double the previous one; a failed or stalled chunk halves the size.
import type { ChunkBounds } from "../uploader/contract";

export interface SizerOptions {
  /** How long one chunk should take on the wire. */
  targetMs: number;
  /** The first chunk's size when the rate is not known yet. */
  initialBytes: number;
  /** Never plan larger than this, whatever the server allows (memory on small phones). */
  capBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const STEP = 64 * KiB;

export const DEFAULT_SIZER: SizerOptions = {
  targetMs: 4_000,
  initialBytes: 1 * MiB,
  capBytes: 16 * MiB,
};

export class ChunkSizer {
  readonly #low: number;
  readonly #high: number;
  readonly #options: SizerOptions;
  #size: number;
  #rate: number | null;

  constructor(bounds: ChunkBounds, options: SizerOptions = DEFAULT_SIZER, knownRateBps?: number) {
    this.#options = options;
    this.#low = Math.max(1, bounds.min);
    this.#high = Math.max(this.#low, Math.min(bounds.max, options.capBytes));
    this.#rate = knownRateBps && knownRateBps > 0 ? knownRateBps : null;
    this.#size = this.#rate
      ? this.#fromRate(this.#rate)
      : this.#clamp(Math.min(options.initialBytes, bounds.preferred));
  }

  /** Bytes to put in the next chunk. */
  get size(): number {
    return this.#size;
  }

  /** Bytes per second, once measured. */
  get rateBps(): number | null {
    return this.#rate;
  }

  /** A chunk of `bytes` was acknowledged `ms` after it was started. */
  succeeded(bytes: number, ms: number): void {
    if (bytes < this.#size / 2 || bytes <= 0) return;
    const sample = (bytes * 1000) / Math.max(ms, 1);
    this.#rate = this.#rate === null ? sample : 0.5 * this.#rate + 0.5 * sample;
    this.#size = Math.min(this.#fromRate(this.#rate), this.#clamp(this.#size * 2));
  }

  /** A chunk failed or stalled: try smaller pieces. */
  failed(): void {
    this.#size = this.#clamp(this.#size / 2);
  }

  #fromRate(rate: number): number {
    return this.#clamp((rate * this.#options.targetMs) / 1000);
  }

  #clamp(bytes: number): number {
    const stepped = bytes >= STEP ? Math.floor(bytes / STEP) * STEP : Math.floor(bytes);
    return Math.max(this.#low, Math.min(this.#high, stepped));
  }
}
