// When an access token needs refreshing. Pure: the session keeper and the page's timer share it.
import type { StoredSession } from "./stored";

/** Refresh an access token this long before it runs out (a request in flight must not outlive it). */
export const REFRESH_MARGIN_MS = 60_000;

/** The Web Lock every tab and the service worker take before exchanging the refresh token. */
export const REFRESH_LOCK = "relaypacs-refresh";

type Timed = Pick<StoredSession, "localExpiresAt">;

/** Usable for a request sent now: more than the margin left. */
export function isFresh(session: Timed, now: number): boolean {
  return session.localExpiresAt - now > REFRESH_MARGIN_MS;
}

/** Not yet run out at all (usable for a last request when a refresh cannot reach the server). */
export function isUnexpired(session: Timed, now: number): boolean {
  return session.localExpiresAt > now;
}

/** Whether the refresh token itself has run out (the person must sign in again). */
export function refreshExpired(session: Pick<StoredSession, "refreshExpiresAt">, now: number) {
  return session.refreshExpiresAt !== null && session.refreshExpiresAt <= now;
}

/** How long a page may wait before refreshing ahead of need: 0 when it is already due. */
export function refreshDueIn(session: Timed, now: number): number {
  return Math.max(0, session.localExpiresAt - REFRESH_MARGIN_MS - now);
}
