// Which language the screens speak: the one the user chose on this device, else the browser's
// first language we have, else English. Pure, so it is tested without a browser.

export const LANGUAGES = [
  { code: "en", name: "English" },
  { code: "fr", name: "Français" },
] as const;

export type Language = (typeof LANGUAGES)[number]["code"];

export function isLanguage(value: unknown): value is Language {
  return LANGUAGES.some((language) => language.code === value);
}

/** "fr-CA" → "fr"; the first of the browser's languages we have wins. */
export function pickLanguage(stored: string | null, browser: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLanguage(base)) return base;
  }
  return "en";
}
