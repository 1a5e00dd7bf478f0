// The current language as a rune, and t(): the string for a key in that language. Reading t() in
// a component's markup re-renders it when the language changes. The choice is kept on the device.
import { en, type Catalog } from "./en";
import { fr } from "./fr";
import { isLanguage, pickLanguage, type Language } from "./language";

const STORAGE_KEY = "relaypacs.language";
const CATALOGS: Readonly<Record<Language, Catalog>> = { en, fr };

function stored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage blocked (private mode, policy): follow the browser
  }
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

class Locale {
  #current = $state<Language>(
    typeof window === "undefined" ? "en" : pickLanguage(stored(), browserLanguages()),
  );

  constructor() {
    if (typeof document !== "undefined") document.documentElement.lang = this.#current;
  }

  get current(): Language {
    return this.#current;
  }

  set(language: string): void {
    if (!isLanguage(language)) return;
    this.#current = language;
    document.documentElement.lang = language;
    try {
      localStorage.setItem(STORAGE_KEY, language);
    } catch {
      // Not kept: the choice holds until the app is closed.
    }
  }
}

export const locale = new Locale();

type Key = keyof Catalog;
type Args<K extends Key> = Catalog[K] extends (...args: infer A) => string ? A : [];

/** The text for `key` in the current language; keys with arguments take them typed. */
export function t<K extends Key>(key: K, ...args: Args<K>): string {
  const entry = CATALOGS[locale.current][key];
  if (typeof entry === "string") return entry;
  // A function entry: Args<K> is exactly its parameter list, which TypeScript cannot see
  // through the union of every entry's signature.
  const format = entry as (...a: readonly unknown[]) => string;
  return format(...args);
}
