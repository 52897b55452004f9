import { ApiError, type ErrorDetail } from '../api/client.js';
import { hasMessage, type Translate, useT } from './I18nProvider.js';

/**
 * API error codes in the user's language (issue 16 item 11). The codes stay the API's stable
 * contract; the browser words them from the catalogue (`error.<CODE>` for a refusal,
 * `detail.<CODE>` for each problem under it) and still shows the code, the line and the field,
 * plus the server's own English wording, which carries the particular values.
 */
export function errorText(t: Translate, code: string): string {
  const key = `error.${code}`;
  return hasMessage(key) ? t(key) : t('error.UNKNOWN', { code });
}

export function detailText(t: Translate, code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  const key = `detail.${code}`;
  return hasMessage(key) ? t(key) : undefined;
}

/** One problem under a refusal: its message, where it is, its code and the server's wording. */
export function ProblemText({ detail }: { detail: ErrorDetail }) {
  const t = useT();
  const text = detailText(t, detail.code) ?? detail.message ?? '';
  const where = [
    detail.line !== undefined ? t('problem.line', { line: detail.line }) : undefined,
    detail.field !== undefined ? t('problem.field', { field: detail.field }) : undefined,
  ].filter((s): s is string => s !== undefined);
  const serverWording =
    detail.message !== undefined && detail.message !== '' && detail.message !== text
      ? detail.message
      : undefined;
  return (
    <>
      {where.length > 0 && <span className="problem-where">{where.join(' · ')} — </span>}
      <span>{text}</span>
      {detail.code !== undefined && <code className="problem-code">{detail.code}</code>}
      {serverWording !== undefined && (
        <span className="problem-server muted">
          {' '}
          ({t('problem.serverWording')}{' '}
          <span lang="en" dir="ltr">
            {serverWording}
          </span>
          )
        </span>
      )}
    </>
  );
}

/** The problems listed under a refusal, when the details are a list (not a refusal's facts). */
export function detailsOf(e: unknown): ErrorDetail[] {
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return [];
  return (e.details as unknown[]).filter((d): d is ErrorDetail => typeof d === 'object' && d !== null);
}

/** A refusal as a list of its problems in the user's language. */
export function ProblemList({ error, max = 20 }: { error: unknown; max?: number }) {
  const details = detailsOf(error);
  if (details.length === 0) return null;
  return (
    <ul className="problem-list">
      {details.slice(0, max).map((d, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity beyond their place
        <li key={i}>
          <ProblemText detail={d} />
        </li>
      ))}
    </ul>
  );
}

/**
 * A code that may be an API error code, a problem's detail code or a federation delivery failure
 * (a peer's refusal, a dead letter), in the user's language; the code itself is shown beside it.
 */
export function refusalText(t: Translate, code: string): string {
  for (const key of [`error.${code}`, `detail.${code}`, `bundle.${code}`, `net.failure.${code}`])
    if (hasMessage(key)) return t(key);
  return t('error.UNKNOWN', { code });
}

/**
 * A failure in a few words: an API refusal by its code in the user's language (never the
 * server's English message); a browser-side check's own wording as it is (`isServerFailure`
 * tells the caller whether to mark it `lang="en"`).
 */
export function failureText(t: Translate, e: unknown): string {
  if (e instanceof ApiError) return e.status === 0 ? t('advice.network.title') : errorText(t, e.code);
  return e instanceof Error ? e.message : String(e);
}

export function isServerFailure(e: unknown): boolean {
  return e instanceof ApiError;
}
