import { type FormEvent, useEffect, useRef, useState } from 'react';
import { isApiError } from '../api.js';
import { Async, EmptyState, ErrorState, useLoad } from '../components/async.js';
import { Checks, Verdict, WitnessNote } from '../components/Checks.js';
import { Page, Section } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
import { useSubmit } from '../components/useSubmit.js';
import { formatUtcSeconds } from '../i18n/format.js';
import { type Translate, useT } from '../i18n/I18nProvider.js';
import { failureText } from '../i18n/problems.js';
import { recordKindName } from '../i18n/terms.js';
import { useLiveReload } from '../live.js';
import { useSearchParam } from '../router.js';
import {
  type ConsistencyCheck,
  checkConsistency,
  checkEntry,
  checkReceipt,
  type EntryCheck,
  fetchCheckpointHistory,
  fetchCurrentCheckpoint,
  fetchLogKey,
  type LogCheckpointRow,
  type ReceiptCheck,
  type VerifiedCheckpoint,
  verifierOf,
} from '../verify.js';

const PINNED_KEY = 'custos.log.vkey';

/**
 * The log explorer (auditor story 3): everything is verified here, in the browser, against a
 * verifier key the auditor can pin; the server is only a source of bytes.
 */
export default function LogExplorer() {
  const t = useT();
  const served = useLoad(() => fetchLogKey(), []);
  const [vkey, setVkey] = useState<string>(() => localStorage.getItem(PINNED_KEY) ?? '');
  const [pinned, setPinned] = useState<boolean>(() => localStorage.getItem(PINNED_KEY) !== null);
  useEffect(() => {
    if (!pinned && served.data) setVkey(served.data);
  }, [served.data, pinned]);

  let verifier: ReturnType<typeof verifierOf> | undefined;
  let keyError: string | undefined;
  if (vkey !== '') {
    try {
      verifier = verifierOf(vkey);
    } catch (e) {
      keyError = failureText(t, e);
    }
  }
  const mismatch = pinned && served.data !== undefined && served.data !== vkey.trim();

  return (
    <Page title={t('nav.logExplorer')} lead={t('logx.lead')}>
      <Section title={t('logx.keySection')}>
        <div className="field">
          <label htmlFor="vkey">{t('logx.keyLabel')}</label>
          <input
            id="vkey"
            className="mono"
            value={vkey}
            onChange={(e) => setVkey(e.target.value)}
            aria-invalid={keyError ? true : undefined}
            aria-describedby="vkey-help"
            spellCheck={false}
          />
          <p id="vkey-help" className="muted small">
            {pinned ? t('logx.pinnedHelp') : t('logx.servedHelp')}
          </p>
        </div>
        {keyError && (
          <p className="field-error" role="alert">
            {t('logx.badKey', { reason: keyError })}
          </p>
        )}
        {mismatch && (
          <p className="notice notice-error" role="alert">
            {t('logx.keyChanged')}
          </p>
        )}
        <div className="row">
          <button
            type="button"
            disabled={!verifier}
            onClick={() => {
              localStorage.setItem(PINNED_KEY, vkey.trim());
              setPinned(true);
            }}
          >
            {t('logx.pin')}
          </button>
          {pinned && (
            <button
              type="button"
              onClick={() => {
                localStorage.removeItem(PINNED_KEY);
                setPinned(false);
                if (served.data) setVkey(served.data);
              }}
            >
              {t('logx.forget')}
            </button>
          )}
        </div>
      </Section>
      {served.error !== undefined && <ErrorState error={served.error} retry={served.reload} />}
      {verifier && <Verified key={`${verifier.name}+${verifier.keyId}`} verifier={verifier} />}
    </Page>
  );
}

function Verified({ verifier }: { verifier: ReturnType<typeof verifierOf> }) {
  const t = useT();
  const current = useLoad(() => fetchCurrentCheckpoint(verifier), [verifier]);
  const history = useLoad(() => fetchCheckpointHistory(), []);
  useLiveReload(
    (e) => e.type === 'checkpoint.published',
    () => {
      current.reload();
      history.reload();
    },
  );
  return (
    <>
      <Section title={t('logx.current')}>
        {current.error !== undefined && isApiError(current.error) && current.error.code === 'UNAVAILABLE' ? (
          <EmptyState title={t('logx.noCheckpoint')}>
            <p>{t('logx.noCheckpointHint')}</p>
          </EmptyState>
        ) : current.error !== undefined && !isApiError(current.error) ? (
          <Verdict ok={false} good="" bad={t('logx.currentBad', { reason: failureText(t, current.error) })} />
        ) : (
          <Async value={current} what={t('logx.what.current')}>
            {(cp) => <CheckpointView cp={cp} />}
          </Async>
        )}
        <button
          type="button"
          onClick={() => {
            current.reload();
            history.reload();
          }}
        >
          {t('logx.refresh')}
        </button>
      </Section>
      <Section title={t('logx.growth')}>
        <Async value={history} what={t('logx.what.history')}>
          {(rows) => <Growth rows={rows} />}
        </Async>
      </Section>
      {current.data && <EntryLookup cp={current.data} />}
      <Section title={t('logx.consistency')}>
        <Async value={history} what={t('logx.what.history')}>
          {(rows) => <Consistency rows={rows} verifier={verifier} />}
        </Async>
      </Section>
      <ReceiptCheckForm verifier={verifier} />
    </>
  );
}

function CheckpointView({ cp }: { cp: VerifiedCheckpoint }) {
  const t = useT();
  return (
    <>
      <Verdict ok good={t('logx.signedBy', { size: cp.checkpoint.size })} bad="" />
      <dl className="facts">
        <dt>{t('logx.origin')}</dt>
        <dd className="mono">{cp.checkpoint.origin}</dd>
        <dt>{t('logx.size')}</dt>
        <dd data-testid="checkpoint-size">{cp.checkpoint.size}</dd>
        <dt>{t('logx.root')}</dt>
        <dd className="mono">{cp.root}</dd>
        <dt>{t('logx.signatures')}</dt>
        <dd>
          <ul className="checks">
            {cp.signatures.map((s) => (
              <li key={`${s.name}+${s.keyId}`}>
                <span
                  className={`badge ${
                    s.role === 'log' || s.verified
                      ? 'badge-ok'
                      : s.role === 'witness'
                        ? 'badge-bad'
                        : 'badge-wait'
                  }`}
                >
                  {s.role === 'log'
                    ? t('logx.sig.log')
                    : s.role === 'witness'
                      ? s.verified
                        ? t('logx.sig.witnessOk')
                        : t('logx.sig.witnessBad')
                      : t('logx.sig.unknown')}
                </span>
                <span className="mono">
                  {s.name}+{s.keyId}
                </span>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      <WitnessNote summary={cp.witnesses} />
      <details>
        <summary>{t('logx.signedNote')}</summary>
        <pre>{cp.note}</pre>
      </details>
    </>
  );
}

const growthColumns = (t: Translate): Column<LogCheckpointRow>[] => [
  { key: 'size', header: t('logx.size'), render: (r) => r.size, sortValue: (r) => r.size, numeric: true },
  {
    key: 'at',
    header: t('logx.col.published'),
    render: (r) => formatUtcSeconds(r.createdAt),
    sortValue: (r) => r.createdAt,
  },
  { key: 'root', header: t('logx.root'), render: (r) => <span className="mono">{r.root}</span> },
];

function Growth({ rows }: { rows: readonly LogCheckpointRow[] }) {
  const t = useT();
  if (rows.length === 0) return <EmptyState title={t('logx.noCheckpoints')} />;
  const sorted = [...rows].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const max = Math.max(...sorted.map((r) => r.size), 1);
  const w = 600;
  const h = 120;
  const t0 = Date.parse(sorted[0]!.createdAt);
  const t1 = Math.max(Date.parse(sorted[sorted.length - 1]!.createdAt), t0 + 1);
  const pts = sorted
    .map((r) => {
      const x = sorted.length === 1 ? w / 2 : ((Date.parse(r.createdAt) - t0) / (t1 - t0)) * (w - 20) + 10;
      const y = h - 10 - (r.size / max) * (h - 20);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  return (
    <>
      <svg viewBox={`0 0 ${w} ${h}`} className="growth" aria-labelledby="growth-title">
        <title id="growth-title">
          {t('logx.growthTitle', {
            from: sorted[0]!.size,
            to: sorted[sorted.length - 1]!.size,
            count: sorted.length,
          })}
        </title>
        <polyline points={pts} fill="none" stroke="#1d4f91" strokeWidth="2" />
      </svg>
      <Table
        caption={t('logx.publishedCaption')}
        columns={growthColumns(t)}
        rows={rows}
        rowKey={(r) => String(r.size)}
      />
    </>
  );
}

function EntryLookup({ cp }: { cp: VerifiedCheckpoint }) {
  const t = useT();
  // `/log?entry=N` (a link from a receipt, a case decision) verifies that entry on arrival.
  const [linked] = useSearchParam('entry');
  const [index, setIndex] = useState(linked);
  const [result, setResult] = useState<EntryCheck | undefined>(undefined);
  const size = cp.checkpoint.size;
  const { busy, error, run } = useSubmit(async (i: number) => {
    setResult(undefined);
    setResult(await checkEntry(i, cp));
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(Number(index));
  };
  const autoRan = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once for the linked entry
  useEffect(() => {
    if (autoRan.current || !/^\d+$/.test(linked) || Number(linked) >= size) return;
    autoRan.current = true;
    void run(Number(linked));
  }, [linked, size]);
  const valid = /^\d+$/.test(index) && Number(index) < size;
  return (
    <Section title={t('logx.lookup')}>
      <form onSubmit={submit} className="row">
        <label htmlFor="entry-index">{t('logx.entryIndex', { max: size - 1 })}</label>
        <input
          id="entry-index"
          inputMode="numeric"
          value={index}
          onChange={(e) => setIndex(e.target.value.trim())}
          aria-describedby="entry-help"
        />
        <button type="submit" className="primary" disabled={!valid || busy}>
          {busy ? t('logx.verifying') : t('logx.verifyInclusion')}
        </button>
      </form>
      <p id="entry-help" className="muted small">
        {t('logx.entryHelp')}
      </p>
      {/^\d+$/.test(linked) && Number(linked) >= size && !result && (
        <p className="notice" role="status">
          {t('logx.entryNewer', { index: linked, size })}
        </p>
      )}
      {error !== undefined && <ErrorState error={error} />}
      {result && (
        <div aria-live="polite">
          <Verdict
            ok={result.ok}
            good={t('logx.entryOk', { index: result.index, size: result.size })}
            bad={t('logx.entryBad', { index: result.index })}
          />
          <Checks steps={result.steps} label={t('logx.entryChecks', { index: result.index })} />
          {result.leaf && (
            <dl className="facts">
              {/* A leaf of form v1 names its record; v2 carries only an opaque id (decision 0021). */}
              {result.leaf.v === 1 ? (
                <>
                  <dt>{t('logx.kind')}</dt>
                  <dd>
                    {recordKindName(t, result.leaf.kind)} <code dir="ltr">{result.leaf.kind}</code>
                  </dd>
                  <dt>{t('logx.record')}</dt>
                </>
              ) : (
                <dt>{t('logx.opaqueId')}</dt>
              )}
              <dd className="mono">{result.leaf.id}</dd>
              <dt>{t('logx.time')}</dt>
              <dd>{formatUtcSeconds(result.leaf.time)}</dd>
            </dl>
          )}
        </div>
      )}
    </Section>
  );
}

function Consistency({
  rows,
  verifier,
}: {
  rows: readonly LogCheckpointRow[];
  verifier: ReturnType<typeof verifierOf>;
}) {
  const t = useT();
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
  const [from, setFrom] = useState(String(sizes[0] ?? ''));
  const [to, setTo] = useState(String(sizes[sizes.length - 1] ?? ''));
  const [result, setResult] = useState<ConsistencyCheck | undefined>(undefined);
  const { busy, error, onSubmit } = useSubmit(async () => {
    setResult(undefined);
    setResult(await checkConsistency(Number(from), Number(to), verifier));
  });
  if (sizes.length < 2) {
    return (
      <EmptyState title={t('logx.onlyOne')}>
        <p>{t('logx.onlyOneHint')}</p>
      </EmptyState>
    );
  }
  const ordered = Number(from) <= Number(to);
  return (
    <>
      <form onSubmit={onSubmit} className="form-grid">
        <div className="field">
          <label htmlFor="cons-from">{t('logx.older')}</label>
          <select id="cons-from" value={from} onChange={(e) => setFrom(e.target.value)}>
            {sizes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="cons-to">{t('logx.newer')}</label>
          <select id="cons-to" value={to} onChange={(e) => setTo(e.target.value)}>
            {sizes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="submit" className="primary" disabled={!ordered || busy}>
            {busy ? t('logx.checking') : t('logx.checkConsistency')}
          </button>
        </div>
      </form>
      {!ordered && <p className="field-error">{t('logx.misordered')}</p>}
      {error !== undefined && <ErrorState error={error} />}
      {result && (
        <div aria-live="polite">
          <Verdict
            ok={result.ok}
            good={t('logx.consistent', { to: Number(to), from: Number(from) })}
            bad={t('logx.notConsistent')}
          />
          <Checks steps={result.steps} label={t('logx.consistencyChecks')} />
        </div>
      )}
    </>
  );
}

function ReceiptCheckForm({ verifier }: { verifier: ReturnType<typeof verifierOf> }) {
  const t = useT();
  const [text, setText] = useState('');
  const [result, setResult] = useState<ReceiptCheck | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await checkReceipt(text.endsWith('\n') ? text : `${text}\n`, verifier));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title={t('logx.receiptSection')}>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="receipt">{t('logx.receiptLabel')}</label>
          <textarea
            id="receipt"
            rows={8}
            className="mono"
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
          />
        </div>
        <div className="row">
          <label htmlFor="receipt-file">{t('logx.receiptFile')}</label>
          <input
            id="receipt-file"
            type="file"
            accept=".proof,.txt,text/plain"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then(setText);
            }}
          />
          <button type="submit" className="primary" disabled={text.trim() === ''}>
            {t('logx.verifyReceipt')}
          </button>
        </div>
      </form>
      {error !== undefined && <ErrorState error={error} />}
      {result && (
        <div aria-live="polite">
          <Verdict
            ok={result.ok}
            good={t('logx.receiptOk', { index: result.index ?? '' })}
            bad={t('logx.receiptBad')}
          />
          <Checks steps={result.steps} label={t('logx.receiptChecks')} />
          {result.witnesses && <WitnessNote summary={result.witnesses} />}
        </div>
      )}
    </Section>
  );
}
