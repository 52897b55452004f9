/**
 * The languages of the web app: the six official languages of the United Nations (issue 16
 * item 11, decision 0025). One list for the server, which keeps each user's choice, and the
 * browser, which holds a message catalogue for each.
 */
export const LOCALES = ['en', 'fr', 'es', 'ru', 'zh', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'en';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}
