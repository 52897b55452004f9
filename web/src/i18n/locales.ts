/**
 * How the browser's preference picks one of the app's languages (src/domain/locales.ts) and
 * where this device remembers a choice.
 */
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from '../../../src/domain/locales.js';

export { DEFAULT_LOCALE, isLocale, LOCALES, type Locale };

/** Each language named in itself, as a chooser shows it (never translated). */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  ru: 'Русский',
  zh: '中文',
  ar: 'العربية',
};

/** Arabic is written right to left; the layout mirrors with it (logical CSS properties). */
export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}

/** The first of the browser's languages we speak, by primary subtag (`fr-CA` → fr, `zh-TW` → zh). */
export function matchLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (isLocale(primary)) return primary;
  }
  return DEFAULT_LOCALE;
}

/**
 * The language of this device before anyone signs in: the last one chosen here, else the
 * browser's. A signed-in user's choice is kept on the server (PUT /api/me/locale) and wins.
 */
const DEVICE_KEY = 'custos.locale';

export function deviceLocale(): Locale {
  try {
    const stored = globalThis.localStorage?.getItem(DEVICE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage may be disabled (private mode, policy): the browser's preference still applies.
  }
  const langs = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? DEFAULT_LOCALE];
  return matchLocale(langs);
}

export function rememberDeviceLocale(locale: Locale): void {
  try {
    globalThis.localStorage?.setItem(DEVICE_KEY, locale);
  } catch {
    // Not remembered on this device; the user's server-side choice still is.
  }
}
