import { useId } from 'react';
import { useLocale, useT } from './I18nProvider.js';
import { isLocale, LOCALE_NAMES, LOCALES, type Locale } from './locales.js';

/**
 * The language chooser: each language named in itself and marked with its own `lang`, so a
 * screen reader says "Français" in French whatever the page's language.
 */
export function LanguageChooser({
  compact = false,
  onChosen,
}: {
  compact?: boolean;
  onChosen?: (locale: Locale) => void;
}) {
  const t = useT();
  const { locale, setLocale } = useLocale();
  const id = useId();
  return (
    <span className="language-chooser">
      <label htmlFor={id} className={compact ? 'visually-hidden' : undefined}>
        {t('app.language')}
      </label>
      <select
        id={id}
        value={locale}
        onChange={(e) => {
          const next = e.target.value;
          if (!isLocale(next)) return;
          setLocale(next);
          onChosen?.(next);
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </span>
  );
}
