import { isLocale, type Locale } from '../domain/locales.js';
import { createUsersRepo } from '../store/users.repo.js';
import { isoNow, type Ports } from './ports.js';

/**
 * A user's own settings (issue 16 item 11, decision 0025): the language they chose for the web
 * app. Only the user changes their own; nothing about it is a record of the registry, so it is
 * not logged.
 */
export async function localeOf(ports: Ports, userId: string): Promise<Locale | null> {
  const stored = await createUsersRepo(ports.db).localeOf(userId);
  // A value the app no longer speaks reads as no choice; the browser's language then applies.
  return isLocale(stored) ? stored : null;
}

export async function chooseLocale(ports: Ports, userId: string, locale: Locale): Promise<Locale> {
  await createUsersRepo(ports.db).setLocale(userId, locale, isoNow(ports.clock));
  return locale;
}
