import { DEFAULT_LOCALE, type Locale } from './locales.js';

/**
 * The language numbers and dates are formatted in, for helpers outside React components (table
 * column renderers, chart labels). Set by the I18nProvider whenever the language changes; `Intl`
 * does the formatting (issue 16 item 11: decimal separators, digit grouping, date order).
 */
let current: Locale = DEFAULT_LOCALE;

export function setFormatLocale(locale: Locale): void {
  current = locale;
}

export function formatLocale(): Locale {
  return current;
}

/** An ISO date or timestamp in the user's language; anything else is shown as it came. */
export function formatDate(iso: string, withTime = iso.length > 10): string {
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(current, {
    timeZone: 'UTC',
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
  });
}

/** A log timestamp in the user's language, to the second, in UTC (the log explorer's columns say so). */
export function formatUtcSeconds(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(current, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'medium' });
}
