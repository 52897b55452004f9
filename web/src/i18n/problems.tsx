import { kindOf, particularTypes } from '../../../src/domain/particulars.js';
import { isLogError } from '../../../src/log/index.js';
import { ApiError, type ErrorDetail } from '../api/client.js';
import { KeyFileError } from '../signing.js';
import { formatDate, formatLocale } from './format.js';
import { hasMessage, type Translate, useT } from './I18nProvider.js';

/**
 * API error codes in the user's language (issue 16 item 11). The codes stay the API's stable
 * contract; the browser words them from the catalogue (`error.<CODE>` for a refusal,
 * `detail.<CODE>` for each problem under it) and still shows the code, the line and the field.
 * A problem that carries its particulars (`rule` and `values`, decision 0052) is worded whole
 * from `problem.<CODE>[.<rule>]`, so no English sentence is needed beside it.
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

/** First strong isolate … pop: a code or name keeps its own direction inside an Arabic sentence. */
const isolate = (s: string) => `\u2068${s}\u2069`;

/** A joint inspection's activity as the language's term, or as given when it is not one (decision 0064). */
function activityName(t: Translate | undefined, code: string): string {
  const key = `insp.activity.${code}`;
  return t !== undefined && hasMessage(key) ? t(key) : isolate(code);
}

/**
 * A problem's values as its message takes them: numbers stay numbers (the message formats them
 * for the language), dates are formatted here, lists joined as the language joins them, codes
 * and names isolated. Undefined when the problem has no particulars the catalogue knows.
 */
function particularValues(d: ErrorDetail, t?: Translate): Record<string, string | number> | undefined {
  const types = particularTypes(kindOf(d));
  const values = d.values;
  if (types === undefined || typeof values !== 'object' || values === null) return undefined;
  const out: Record<string, string | number> = {};
  for (const [name, type] of Object.entries(types)) {
    const v: unknown = (values as Record<string, unknown>)[name];
    if (type === 'count' || type === 'grams') {
      if (typeof v !== 'number') return undefined;
      out[name] = v;
    } else if (type === 'codes') {
      if (!Array.isArray(v)) return undefined;
      const list = new Intl.ListFormat(formatLocale(), { type: 'disjunction' });
      out[name] = list.format(v.map((c) => isolate(String(c))));
    } else if (typeof v !== 'string') {
      return undefined;
    } else {
      out[name] =
        type === 'date'
          ? formatDate(v)
          : type === 'text'
            ? isolate(v)
            : type === 'activity'
              ? activityName(t, v)
              : v;
    }
  }
  return out;
}

/**
 * One problem in the user's language: from its particulars when it has them
 * (`problem.<CODE>[.<rule>]`), else the meaning of its code (`detail.<CODE>`).
 */
export function problemText(t: Translate, d: ErrorDetail): string | undefined {
  const key = `problem.${kindOf(d)}`;
  const values = particularValues(d, t);
  if (values !== undefined && hasMessage(key)) return t(key, values);
  return detailText(t, d.code);
}

/** Whether a problem is worded whole in the user's language (no English needed beside it). */
export function isWorded(d: ErrorDetail): boolean {
  return particularValues(d) !== undefined;
}

/** One problem under a refusal: its message, where it is, its code and, for a problem without particulars, the server's wording. */
export function ProblemText({ detail }: { detail: ErrorDetail }) {
  const t = useT();
  const text = problemText(t, detail) ?? detail.message ?? '';
  const where = [
    detail.line !== undefined ? t('problem.line', { line: detail.line }) : undefined,
    detail.field !== undefined ? t('problem.field', { field: detail.field }) : undefined,
  ].filter((s): s is string => s !== undefined);
  // Problems of other requests (forms) do not carry particulars yet (decision 0052).
  const serverWording =
    !isWorded(detail) && detail.message !== undefined && detail.message !== '' && detail.message !== text
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
 * A failure in a few words, always in the user's language (decision 0064): an API refusal by its
 * code (never the server's English message), a key file or a log proof by its typed reason, and
 * anything else — an error the page did not expect — by one catalogue sentence, since an
 * exception's own text is English and says nothing the user can act on.
 */
export function failureText(t: Translate, e: unknown): string {
  if (e instanceof ApiError) return e.status === 0 ? t('advice.network.title') : errorText(t, e.code);
  if (e instanceof KeyFileError)
    return e.reason === 'notBase64' ? t('keyFile.notBase64') : t('keyFile.length', { bytes: e.bytes });
  if (isLogError(e)) return errorText(t, e.code);
  return t('failure.unexpected');
}
