// Strings of the screens in English and French: `t(key, ...args)` and the language switch.
export { locale, t } from "./locale.svelte";
export { LANGUAGES, pickLanguage, type Language } from "./language";
export type { Catalog } from "./en";
