// A name for this device that an admin recognises in the devices list ("Android phone, Chrome"),
// from the browser's user agent. Pure; no fingerprinting beyond what the list shows.

const BROWSERS: Array<[RegExp, string]> = [
  [/EdgA?\//, "Edge"],
  [/SamsungBrowser\//, "Samsung Internet"],
  [/OPR\//, "Opera"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/CriOS\/|Chrome\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"],
];

function deviceKind(ua: string, touchPoints: number): string {
  if (/iPad/.test(ua) || (/Macintosh/.test(ua) && touchPoints > 1)) return "iPad";
  if (/iPhone|iPod/.test(ua)) return "iPhone";
  if (/Android/.test(ua)) return /Mobile/.test(ua) ? "Android phone" : "Android tablet";
  if (/Windows/.test(ua)) return "Windows PC";
  if (/Macintosh|Mac OS X/.test(ua)) return "Mac";
  if (/CrOS/.test(ua)) return "Chromebook";
  if (/Linux/.test(ua)) return "Linux PC";
  return "Device";
}

export function deviceName(userAgent: string, maxTouchPoints = 0): string {
  const kind = deviceKind(userAgent, maxTouchPoints);
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  return browser ? `${kind}, ${browser}` : kind;
}
