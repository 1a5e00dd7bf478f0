// The page's own triggers for the queue, for browsers without Background Sync (Safari/iOS) and
// for everyone while the app is open: now (launch), back online, back to visible. The timer with
// backoff is the manager's. Page only (window, document).
/** Runs `kick` now and on `online` and when the page becomes visible; returns the undo. */
export function installPageTriggers(kick: () => void): () => void {
  const onVisible = () => {
    if (document.visibilityState === "visible") kick();
  };
  window.addEventListener("online", kick);
  document.addEventListener("visibilitychange", onVisible);
  kick();
  return () => {
    window.removeEventListener("online", kick);
    document.removeEventListener("visibilitychange", onVisible);
  };
}
