import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { FormattedMessage, IntlProvider, useIntl } from 'react-intl';
import { setFormatLocale } from './format.js';
import { DEFAULT_LOCALE, deviceLocale, directionOf, type Locale, rememberDeviceLocale } from './locales.js';
import en from './messages/en.json' with { type: 'json' };

/** Every message key; English is the reference catalogue the CI check holds the others to. */
export type MessageKey = keyof typeof en;
type Catalogue = Readonly<Record<MessageKey, string>>;
export type MessageValues = Record<
  string,
  string | number | Date | ReactNode | ((chunks: ReactNode[]) => ReactNode)
>;

/** Catalogues other than English load when first chosen (one chunk each). */
async function loadCatalogue(locale: Locale): Promise<Catalogue> {
  switch (locale) {
    case 'en':
      return en;
    case 'fr':
      return (await import('./messages/fr.json', { with: { type: 'json' } })).default;
    case 'es':
      return (await import('./messages/es.json', { with: { type: 'json' } })).default;
    case 'ru':
      return (await import('./messages/ru.json', { with: { type: 'json' } })).default;
    case 'zh':
      return (await import('./messages/zh.json', { with: { type: 'json' } })).default;
    case 'ar':
      return (await import('./messages/ar.json', { with: { type: 'json' } })).default;
  }
}

interface LocaleValue {
  readonly locale: Locale;
  setLocale(locale: Locale): void;
}

const LocaleContext = createContext<LocaleValue | null>(null);

/**
 * The language of the app: the device's (last chosen here, else the browser's) until a signed-in
 * user's saved choice replaces it. Sets `<html lang dir>` so Arabic lays out right to left and
 * assistive technology reads each language with its own voice.
 */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(deviceLocale);
  const [loaded, setLoaded] = useState<{ locale: Locale; messages: Catalogue }>(() => ({
    locale: DEFAULT_LOCALE,
    messages: en,
  }));
  useEffect(() => {
    let live = true;
    void loadCatalogue(locale).then((messages) => {
      if (live) {
        setFormatLocale(locale);
        setLoaded({ locale, messages });
      }
    });
    return () => {
      live = false;
    };
  }, [locale]);
  useEffect(() => {
    document.documentElement.lang = loaded.locale;
    document.documentElement.dir = directionOf(loaded.locale);
  }, [loaded.locale]);
  const setLocale = useCallback((next: Locale) => {
    rememberDeviceLocale(next);
    setLocaleState(next);
  }, []);
  return (
    <LocaleContext.Provider value={{ locale: loaded.locale, setLocale }}>
      <IntlProvider locale={loaded.locale} defaultLocale={DEFAULT_LOCALE} messages={loaded.messages}>
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale(): LocaleValue {
  const v = useContext(LocaleContext);
  if (!v) throw new Error('useLocale outside I18nProvider');
  return v;
}

/** The message of `key` in the user's language, its ICU arguments filled in. */
export type Translate = (key: MessageKey, values?: Record<string, string | number | Date>) => string;

export function useT(): Translate {
  const intl = useIntl();
  return useCallback<Translate>((key, values) => intl.formatMessage({ id: key }, values), [intl]);
}

/** Whether a key exists (error and detail codes the server may add before the catalogue has them). */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** A message with markup inside it (links, emphasis): `values` maps each tag to an element. */
export function Msg({ id, values }: { id: MessageKey; values?: MessageValues }) {
  return <FormattedMessage id={id} values={values} />;
}
