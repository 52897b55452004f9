import { type Translate, useT } from '../i18n/I18nProvider.js';
import type { Said, Step, WitnessSummary } from '../verify.js';

/** A verification's sentence in the user's language. */
export function sayStep(t: Translate, s: Said): string {
  return t(s.key, s.values);
}

/** A verification's steps, each with a visible and announced outcome (not colour alone). */
export function Checks({ steps, label }: { steps: readonly Step[]; label: string }) {
  const t = useT();
  return (
    <ul className="checks" aria-label={label}>
      {steps.map((s) => (
        <li key={sayStep(t, s.label)}>
          <span className={`badge ${s.ok ? 'badge-ok' : 'badge-bad'}`}>
            {s.ok ? t('reports.verified') : t('checks.failed')}
          </span>
          <span>
            {sayStep(t, s.label)}
            {s.detail && <span className="muted"> — {sayStep(t, s.detail)}</span>}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function Verdict({ ok, good, bad }: { ok: boolean; good: string; bad: string }) {
  return (
    <p className={`notice ${ok ? 'notice-ok' : 'notice-error'}`} role="status">
      <strong>{ok ? good : bad}</strong>
    </p>
  );
}

/** The witness outcome in one plain sentence; "none configured" is said, not hidden. */
export function WitnessNote({ summary }: { summary: WitnessSummary }) {
  const t = useT();
  const cls = summary.configured === 0 ? 'muted' : summary.ok ? '' : 'error';
  return (
    <p className={cls} data-testid="witness-summary">
      <strong>{t('checks.witnesses')}</strong> {sayStep(t, summary.text)}
    </p>
  );
}
