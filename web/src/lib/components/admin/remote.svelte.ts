// Loading state for an admin screen: what the API answered, or its message, while a request runs.
// Messages are the server's own (ApiError.message), shown as they are.
import { ApiError } from "$lib/uploader/api";

const UNEXPECTED = "Something went wrong in this app. Please try again.";

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  console.error(error);
  return UNEXPECTED;
}

export class Remote<T> {
  data = $state.raw<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  readonly #fetch: () => Promise<T>;
  #round = 0;

  constructor(fetch: () => Promise<T>) {
    this.#fetch = fetch;
  }

  /** Loads (again); a newer load wins over an older one still on its way. */
  async load(): Promise<void> {
    const round = ++this.#round;
    this.loading = true;
    this.error = null;
    try {
      const data = await this.#fetch();
      if (round === this.#round) this.data = data;
    } catch (error) {
      if (round === this.#round) this.error = messageOf(error);
    } finally {
      if (round === this.#round) this.loading = false;
    }
  }
}

/** One action at a time per screen (disable, revoke, send again), with its outcome in words. */
export class Action {
  busy = $state<string | null>(null);
  error = $state<string | null>(null);
  done = $state<string | null>(null);

  /** Runs `task` for the item `key`; `success` is what to say afterwards. */
  async run(key: string, task: () => Promise<unknown>, success: string | null = null) {
    this.busy = key;
    this.error = null;
    this.done = null;
    try {
      await task();
      this.done = success;
      return true;
    } catch (error) {
      this.error = messageOf(error);
      return false;
    } finally {
      this.busy = null;
    }
  }
}
