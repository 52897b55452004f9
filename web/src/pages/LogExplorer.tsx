import { type FormEvent, useEffect, useRef, useState } from 'react';
import { isApiError } from '../api.js';
import { Async, EmptyState, ErrorState, useLoad } from '../components/async.js';
import { Checks, Verdict, WitnessNote } from '../components/Checks.js';
import { Page, Section } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
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

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The log explorer (auditor story 3): everything is verified here, in the browser, against a
 * verifier key the auditor can pin; the server is only a source of bytes.
 */
export default function LogExplorer() {
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
      keyError = errorText(e);
    }
  }
  const mismatch = pinned && served.data !== undefined && served.data !== vkey.trim();

  return (
    <Page
      title="Log explorer"
      lead="Checkpoints, entries and proofs of the Custos transparency log, verified in your browser."
    >
      <Section title="Log verifier key">
        <div className="field">
          <label htmlFor="vkey">Verifier key used for every check below</label>
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
            {pinned
              ? 'Pinned in this browser: checks use this key, whatever the server says.'
              : 'Taken from the server (/log/key). Pin it to detect a later change of key.'}
          </p>
        </div>
        {keyError && (
          <p className="field-error" role="alert">
            This is not a valid verifier key: {keyError}
          </p>
        )}
        {mismatch && (
          <p className="notice notice-error" role="alert">
            The server now publishes a different key than the one you pinned. Do not trust new checkpoints
            until you know why.
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
            Pin this key
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
              Forget pinned key
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
      <Section title="Current checkpoint">
        {current.error !== undefined && isApiError(current.error) && current.error.code === 'UNAVAILABLE' ? (
          <EmptyState title="No checkpoint has been published yet">
            <p>The log publishes its first checkpoint right after the first entry; try again in a moment.</p>
          </EmptyState>
        ) : current.error !== undefined && !isApiError(current.error) ? (
          <Verdict
            ok={false}
            good=""
            bad={`The current checkpoint does not verify: ${errorText(current.error)}`}
          />
        ) : (
          <Async value={current} what="the current checkpoint">
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
          Refresh
        </button>
      </Section>
      <Section title="Tree growth">
        <Async value={history} what="the checkpoint history">
          {(rows) => <Growth rows={rows} />}
        </Async>
      </Section>
      {current.data && <EntryLookup cp={current.data} />}
      <Section title="Consistency between two checkpoints">
        <Async value={history} what="the checkpoint history">
          {(rows) => <Consistency rows={rows} verifier={verifier} />}
        </Async>
      </Section>
      <ReceiptCheckForm verifier={verifier} />
    </>
  );
}

function CheckpointView({ cp }: { cp: VerifiedCheckpoint }) {
  return (
    <>
      <Verdict ok good={`Signed by the log key — ${cp.checkpoint.size} entries`} bad="" />
      <dl className="facts">
        <dt>Origin</dt>
        <dd className="mono">{cp.checkpoint.origin}</dd>
        <dt>Size</dt>
        <dd data-testid="checkpoint-size">{cp.checkpoint.size}</dd>
        <dt>Root hash</dt>
        <dd className="mono">{cp.root}</dd>
        <dt>Signatures</dt>
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
                    ? '✓ log key'
                    : s.role === 'witness'
                      ? s.verified
                        ? '✓ witness cosignature'
                        : '✗ witness cosignature'
                      : 'signature by a key not listed here'}
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
        <summary>Signed note as served</summary>
        <pre>{cp.note}</pre>
      </details>
    </>
  );
}

const growthColumns: Column<LogCheckpointRow>[] = [
  { key: 'size', header: 'Size', render: (r) => r.size, sortValue: (r) => r.size, numeric: true },
  {
    key: 'at',
    header: 'Published (UTC)',
    render: (r) => r.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    sortValue: (r) => r.createdAt,
  },
  { key: 'root', header: 'Root hash', render: (r) => <span className="mono">{r.root}</span> },
];

function Growth({ rows }: { rows: readonly LogCheckpointRow[] }) {
  if (rows.length === 0) return <EmptyState title="No checkpoints yet" />;
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
          {`Tree size from ${sorted[0]!.size} to ${sorted[sorted.length - 1]!.size} entries over ${sorted.length} checkpoints`}
        </title>
        <polyline points={pts} fill="none" stroke="#1d4f91" strokeWidth="2" />
      </svg>
      <Table
        caption="Published checkpoints"
        columns={growthColumns}
        rows={rows}
        rowKey={(r) => String(r.size)}
      />
    </>
  );
}

function EntryLookup({ cp }: { cp: VerifiedCheckpoint }) {
  // `/log?entry=N` (a link from a receipt, a case decision) verifies that entry on arrival.
  const [linked] = useSearchParam('entry');
  const [index, setIndex] = useState(linked);
  const [result, setResult] = useState<EntryCheck | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const size = cp.checkpoint.size;
  const run = async (i: number) => {
    setBusy(true);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await checkEntry(i, cp));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
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
    <Section title="Look up an entry">
      <form onSubmit={submit} className="row">
        <label htmlFor="entry-index">Entry index (0 to {size - 1})</label>
        <input
          id="entry-index"
          inputMode="numeric"
          value={index}
          onChange={(e) => setIndex(e.target.value.trim())}
          aria-describedby="entry-help"
        />
        <button type="submit" className="primary" disabled={!valid || busy}>
          {busy ? 'Verifying…' : 'Verify inclusion'}
        </button>
      </form>
      <p id="entry-help" className="muted small">
        Fetches the entry and its inclusion proof in the current checkpoint, and checks the proof here.
      </p>
      {/^\d+$/.test(linked) && Number(linked) >= size && !result && (
        <p className="notice" role="status">
          Entry {linked} is newer than the current checkpoint (size {size}); it is verified as soon as the log
          publishes the next checkpoint.
        </p>
      )}
      {error !== undefined && <ErrorState error={error} />}
      {result && (
        <div aria-live="polite">
          <Verdict
            ok={result.ok}
            good={`Entry ${result.index} is in the log of size ${result.size}`}
            bad={`Entry ${result.index} does not verify`}
          />
          <Checks steps={result.steps} label={`Checks for entry ${result.index}`} />
          {result.leaf && (
            <dl className="facts">
              {/* A leaf of form v1 names its record; v2 carries only an opaque id (decision 0021). */}
              {result.leaf.v === 1 ? (
                <>
                  <dt>Kind</dt>
                  <dd>{result.leaf.kind}</dd>
                  <dt>Record</dt>
                </>
              ) : (
                <dt>Opaque leaf id</dt>
              )}
              <dd className="mono">{result.leaf.id}</dd>
              <dt>Time</dt>
              <dd>{result.leaf.time}</dd>
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
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
  const [from, setFrom] = useState(String(sizes[0] ?? ''));
  const [to, setTo] = useState(String(sizes[sizes.length - 1] ?? ''));
  const [result, setResult] = useState<ConsistencyCheck | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  if (sizes.length < 2) {
    return (
      <EmptyState title="Only one checkpoint so far">
        <p>A consistency check needs two checkpoints; the log publishes a new one after new entries.</p>
      </EmptyState>
    );
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await checkConsistency(Number(from), Number(to), verifier));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const ordered = Number(from) <= Number(to);
  return (
    <>
      <form onSubmit={submit} className="form-grid">
        <div className="field">
          <label htmlFor="cons-from">Older checkpoint (size)</label>
          <select id="cons-from" value={from} onChange={(e) => setFrom(e.target.value)}>
            {sizes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="cons-to">Newer checkpoint (size)</label>
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
            {busy ? 'Checking…' : 'Check consistency'}
          </button>
        </div>
      </form>
      {!ordered && <p className="field-error">The older checkpoint must not be larger than the newer one.</p>}
      {error !== undefined && <ErrorState error={error} />}
      {result && (
        <div aria-live="polite">
          <Verdict
            ok={result.ok}
            good={`Consistent: the log of ${to} entries extends the log of ${from} entries`}
            bad="Not consistent: these checkpoints are not views of one append-only log"
          />
          <Checks steps={result.steps} label="Consistency checks" />
        </div>
      )}
    </>
  );
}

function ReceiptCheckForm({ verifier }: { verifier: ReturnType<typeof verifierOf> }) {
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
    <Section title="Verify a receipt">
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="receipt">Receipt (C2SP tlog-proof text)</label>
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
          <label htmlFor="receipt-file">or open a receipt file</label>
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
            Verify receipt
          </button>
        </div>
      </form>
      {error !== undefined && <ErrorState error={error} />}
      {result && (
        <div aria-live="polite">
          <Verdict
            ok={result.ok}
            good={`Receipt verifies: entry ${result.index}`}
            bad="The receipt does not verify"
          />
          <Checks steps={result.steps} label="Receipt checks" />
          {result.witnesses && <WitnessNote summary={result.witnesses} />}
        </div>
      )}
    </Section>
  );
}
