// "Add to Home Screen": the browser's own install prompt where it offers one (Chromium's
// beforeinstallprompt, caught here and kept for the button), else which words to show: iOS
// Safari has no prompt, only Share → Add to Home Screen. Nothing when already installed.
import { browser } from "$app/environment";

interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
}

function isInstallPrompt(event: Event): event is InstallPromptEvent {
  return "prompt" in event && typeof event.prompt === "function";
}

export type InstallWay = "installed" | "prompt" | "ios" | "menu";

class InstallOffer {
  #event = $state.raw<InstallPromptEvent | null>(null);
  #installed = $state(false);

  constructor() {
    if (!browser) return;
    addEventListener("beforeinstallprompt", (event) => {
      if (!isInstallPrompt(event)) return;
      // Keep it for our own button instead of the browser's mini bar.
      event.preventDefault();
      this.#event = event;
    });
    addEventListener("appinstalled", () => {
      this.#installed = true;
      this.#event = null;
    });
  }

  get way(): InstallWay {
    if (!browser) return "menu";
    if (this.#installed || standalone()) return "installed";
    if (this.#event) return "prompt";
    return isIos() ? "ios" : "menu";
  }

  /** Shows the browser's install prompt (once: the browser allows each event one prompt). */
  async prompt(): Promise<void> {
    const event = this.#event;
    this.#event = null;
    await event?.prompt();
  }
}

function standalone(): boolean {
  return (
    matchMedia("(display-mode: standalone)").matches ||
    ("standalone" in navigator && navigator.standalone === true)
  );
}

function isIos(): boolean {
  const ua = navigator.userAgent;
  // iPadOS asks for the desktop site and says "Macintosh"; only its touch screen tells.
  return /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}

export const installOffer = new InstallOffer();
