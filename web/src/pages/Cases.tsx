/**
 * Cases: the inspectorate's board by status and each case's thread, transitions and decision;
 * a state reads the questions addressed to it and answers them, with attachments.
 */
import { type FormEvent, useEffect, useState } from 'react';
import {
  CASE_KINDS,
  CASE_STATUSES,
  CASE_TRANSITIONS,
  type CaseStatus,
  decisionBytes,
  isDecisionStatus,
} from '../../../src/domain/cases/index.js';
import { isKeyValidAt } from '../../../src/domain/registry/index.js';
import {
  type AttachmentUpload,
  api,
  type CaseDetail,
  type CaseEvent,
  type CaseSummary,
  casesApi,
  type Me,
  type OpenCaseBody,
  reportsApi,
} from '../api.js';
import { Async, EmptyState, ErrorState, useLoad } from '../components/async.js';
import { KeyFileField } from '../components/KeyFileField.js';
import { Page, Section } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
import { isCaseEvent, useLiveReload } from '../live.js';
import { Link, useRouter, useSearchParam } from '../router.js';
import { audienceOf, useMe } from '../session.js';
import { type SigningKey, verifySignature } from '../signing.js';

const PAGE_SIZE = 25;
const BOARD_CARDS = 8;

const STATUS_LABEL: Record<CaseStatus, string> = {
  open: 'Open',
  'question-sent': 'Question sent',
  answered: 'Answered',
  'under-review': 'Under review',
  resolved: 'Resolved',
  escalated: 'Escalated',
};

export function statusLabel(s: string): string {
  return isCaseStatus(s) ? STATUS_LABEL[s] : s;
}

function isCaseStatus(s: string): s is CaseStatus {
  return (CASE_STATUSES as readonly string[]).includes(s);
}

/** The moves the owning inspectorate may make from a status, as the domain's lifecycle has them. */
function inspectorateMoves(status: string) {
  if (!isCaseStatus(status)) return [];
  return Object.entries(CASE_TRANSITIONS[status])
    .filter(([, rule]) => rule.by === 'inspectorate')
    .map(([to, rule]) => ({ to, due: rule.needsDueDate === true, note: rule.needsNote === true }));
}

export function StatusBadge({ status, overdue }: { status: string; overdue?: boolean }) {
  const cls =
    status === 'resolved' ? 'badge-ok' : status === 'escalated' || overdue ? 'badge-bad' : 'badge-wait';
  return (
    <span className={`badge ${cls}`}>
      {statusLabel(status)}
      {overdue ? ' — overdue' : ''}
    </span>
  );
}

const day = (iso: string) => iso.slice(0, 10);

const caseColumns: Column<CaseSummary>[] = [
  {
    key: 'title',
    header: 'Case',
    render: (c) => <Link to={`/cases/${encodeURIComponent(c.id)}`}>{c.title}</Link>,
  },
  { key: 'kind', header: 'Kind', render: (c) => c.kind },
  { key: 'state', header: 'State', render: (c) => c.state },
  { key: 'mba', header: 'MBA', render: (c) => c.mba ?? '—' },
  { key: 'status', header: 'Status', render: (c) => <StatusBadge status={c.status} overdue={c.overdue} /> },
  { key: 'due', header: 'Answer due', render: (c) => c.dueDate ?? '—' },
  { key: 'updated', header: 'Updated', render: (c) => day(c.updatedAt) },
];

interface Filters {
  readonly state: string;
  readonly mba: string;
  readonly kind: string;
}

function CaseFilters({
  filters,
  set,
  status,
  setStatus,
}: {
  filters: Filters;
  set: { state(v: string): void; mba(v: string): void; kind(v: string): void };
  status: string;
  setStatus(v: string): void;
}) {
  return (
    <form className="form-grid" onSubmit={(e) => e.preventDefault()} aria-label="Filter cases">
      <div className="field">
        <label htmlFor="cf-status">Status</label>
        <select id="cf-status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">board (all statuses)</option>
          {CASE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="cf-kind">Kind</label>
        <select id="cf-kind" value={filters.kind} onChange={(e) => set.kind(e.target.value)}>
          <option value="">any</option>
          {CASE_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="cf-state">State</label>
        <input
          id="cf-state"
          defaultValue={filters.state}
          placeholder="XA"
          onBlur={(e) => set.state(e.target.value.trim().toUpperCase())}
        />
      </div>
      <div className="field">
        <label htmlFor="cf-mba">MBA</label>
        <input id="cf-mba" defaultValue={filters.mba} onBlur={(e) => set.mba(e.target.value.trim())} />
      </div>
    </form>
  );
}

/** The board: one column per status with its total; a status filter turns it into a paged list. */
export default function CasesPage() {
  const [status, setStatus] = useSearchParam('status');
  const [state, setState] = useSearchParam('state');
  const [mba, setMba] = useSearchParam('mba');
  const [kind, setKind] = useSearchParam('kind');
  const [pageText, setPage] = useSearchParam('page');
  const page = Math.max(0, Number(pageText) || 0);
  const filters = { state: state || undefined, mba: mba || undefined, kind: kind || undefined };
  const board = useLoad(
    async () =>
      status
        ? undefined
        : Promise.all(
            CASE_STATUSES.map(async (s) => ({
              status: s,
              ...(await casesApi.list({ ...filters, status: s, limit: BOARD_CARDS })),
            })),
          ),
    [status, state, mba, kind],
  );
  const list = useLoad(
    async () =>
      status ? casesApi.list({ ...filters, status, limit: PAGE_SIZE, offset: page * PAGE_SIZE }) : undefined,
    [status, state, mba, kind, page],
  );
  useLiveReload(isCaseEvent, () => {
    board.reload();
    list.reload();
  });
  const resetPage = (f: (v: string) => void) => (v: string) => {
    setPage(undefined);
    f(v);
  };
  return (
    <Page title="Cases" lead="Anomalies, discrepancies and questions followed up with the states.">
      <CaseFilters
        filters={{ state, mba, kind }}
        set={{ state: resetPage(setState), mba: resetPage(setMba), kind: resetPage(setKind) }}
        status={status}
        setStatus={resetPage(setStatus)}
      />
      {status === '' ? (
        <Async value={board} what="the case board">
          {(cols) => (
            <div className="board">
              {(cols ?? []).map((col) => (
                <section key={col.status} className="board-col" aria-labelledby={`col-${col.status}`}>
                  <h2 id={`col-${col.status}`}>
                    {statusLabel(col.status)} <span className="count">{col.total}</span>
                  </h2>
                  {col.items.length === 0 ? (
                    <p className="muted small">None.</p>
                  ) : (
                    <ul className="cards">
                      {col.items.map((c) => (
                        <li key={c.id} className="card">
                          <Link to={`/cases/${encodeURIComponent(c.id)}`}>{c.title}</Link>
                          <span className="muted small">
                            {c.kind} · {c.state}
                            {c.mba ? ` · ${c.mba}` : ''}
                            {c.dueDate ? ` · due ${c.dueDate}` : ''}
                          </span>
                          {c.overdue && <span className="badge badge-bad">overdue</span>}
                        </li>
                      ))}
                    </ul>
                  )}
                  {col.total > col.items.length && (
                    <button type="button" className="link-button" onClick={() => setStatus(col.status)}>
                      All {col.total} {statusLabel(col.status).toLowerCase()}
                    </button>
                  )}
                </section>
              ))}
            </div>
          )}
        </Async>
      ) : (
        <Async value={list} what="cases">
          {(r) =>
            !r || r.items.length === 0 ? (
              <EmptyState title={`No ${statusLabel(status).toLowerCase()} cases`}>
                <p>Clear a filter to see more.</p>
              </EmptyState>
            ) : (
              <>
                <Table
                  caption={`${statusLabel(status)} cases: ${r.total}, page ${page + 1}`}
                  columns={caseColumns}
                  rows={r.items}
                  rowKey={(c) => c.id}
                />
                <nav aria-label="Pages" className="row">
                  <button
                    type="button"
                    disabled={page === 0}
                    onClick={() => setPage(page > 1 ? String(page - 1) : undefined)}
                  >
                    Previous page
                  </button>
                  <span>
                    Page {page + 1} of {Math.max(1, Math.ceil(r.total / PAGE_SIZE))}
                  </span>
                  <button
                    type="button"
                    disabled={(page + 1) * PAGE_SIZE >= r.total}
                    onClick={() => setPage(String(page + 1))}
                  >
                    Next page
                  </button>
                </nav>
              </>
            )
          }
        </Async>
      )}
    </Page>
  );
}

/** An inspector opens a case by hand (from an alarm, a transfer, or anything worth following). */
export function OpenCaseForm({ defaults, onCancel }: { defaults: OpenCaseBody; onCancel?: () => void }) {
  const { navigate } = useRouter();
  const [title, setTitle] = useState(defaults.title);
  const [kind, setKind] = useState(defaults.kind);
  const [note, setNote] = useState(defaults.note ?? '');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const c = await casesApi.open({
        ...defaults,
        kind,
        title: title.trim(),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      navigate(`/cases/${encodeURIComponent(c.id)}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack" aria-label="Open a case">
      <div className="field">
        <label htmlFor="oc-title">Title</label>
        <input
          id="oc-title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          maxLength={300}
        />
      </div>
      <div className="field">
        <label htmlFor="oc-kind">Kind</label>
        <select id="oc-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          {CASE_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="oc-note">Internal note (not shown to the state)</label>
        <textarea id="oc-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      {error !== undefined && <ErrorState error={error} />}
      <div className="row">
        <button type="submit" className="primary" disabled={busy || title.trim() === ''}>
          {busy ? 'Opening…' : 'Open the case'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function actorOf(me: Me, c: CaseDetail): 'owner' | 'state' | 'reader' {
  const audience = audienceOf(me);
  if (audience === 'inspectorate' && me.organisation === c.inspectorate) return 'owner';
  if (audience === 'state' && me.state === c.state) return 'state';
  return 'reader';
}

function eventTitle(e: CaseEvent): string {
  const who = e.actorKind === 'state' ? `state (${e.actorOrg ?? ''})` : (e.actorOrg ?? 'inspectorate');
  if (e.type === 'opened') return `Opened by ${who}`;
  if (e.type === 'transition') return `${statusLabel(e.from ?? '')} → ${statusLabel(e.to ?? '')} by ${who}`;
  return `Message from ${who}`;
}

function Thread({ c }: { c: CaseDetail }) {
  return (
    <ol className="thread" aria-label="Case thread">
      {c.history.map((e) => (
        <li key={e.seq} className={`thread-item thread-${e.actorKind}`}>
          <p className="thread-head">
            <strong>{eventTitle(e)}</strong>{' '}
            <span className="muted small">{e.at.replace('T', ' ').slice(0, 16)} UTC</span>
            {e.note?.internal && <span className="badge badge-wait">internal</span>}
            {e.dueDate && <span className="badge badge-wait">answer due {e.dueDate}</span>}
          </p>
          {e.note && e.note.text !== '' && <p className="thread-text">{e.note.text}</p>}
          {e.linkedReport && (
            <p className="small" data-testid="linked-report">
              Correction report: <span className="mono">{e.linkedReport}</span>
            </p>
          )}
          {e.attachments && e.attachments.length > 0 && (
            <ul className="attachments" aria-label="Attachments">
              {e.attachments.map((a) => (
                <li key={a.hash}>
                  <a href={casesApi.attachmentUrl(c.id, a.hash)} download={a.name}>
                    {a.name}
                  </a>{' '}
                  <span className="muted small">
                    ({a.contentType}, {a.size} bytes)
                  </span>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}

async function readAttachments(files: FileList | null): Promise<AttachmentUpload[]> {
  const out: AttachmentUpload[] = [];
  for (const f of Array.from(files ?? [])) {
    const bytes = new Uint8Array(await f.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    out.push({ name: f.name, contentType: f.type || 'application/octet-stream', data: btoa(bin) });
  }
  return out;
}

/**
 * The inspectorate's key file, read into page memory only (like report signing): a decision is
 * signed here, in the browser, over the exact bytes the server checks.
 */
function DecisionKey({
  inspectorate,
  signingKey,
  setKey,
}: {
  inspectorate: string;
  signingKey: SigningKey | undefined;
  setKey(k: SigningKey | undefined): void;
}) {
  return (
    <KeyFileField
      id="tr-key"
      label={`Key file of ${inspectorate} (signs the decision; it never leaves this page)`}
      signingKey={signingKey}
      setKey={setKey}
      loadedTestId="decision-key"
    />
  );
}

function TransitionForm({ c, onDone }: { c: CaseDetail; onDone: () => void }) {
  const options = inspectorateMoves(c.status);
  const [to, setTo] = useState(options[0]?.to ?? '');
  const [note, setNote] = useState('');
  const [due, setDue] = useState('');
  const [internal, setInternal] = useState(false);
  const [linked, setLinked] = useState(linkedOf(c) ?? '');
  const [signingKey, setKey] = useState<SigningKey | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const rule = options.find((o) => o.to === to);
  if (options.length === 0) return null;
  const decision = isDecisionStatus(to);
  const linkedReport = to === 'resolved' && linked.trim() !== '' ? linked.trim() : undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const text = note.trim();
      const signature =
        decision && signingKey
          ? {
              keyId: signingKey.keyId,
              signature: signingKey.signRaw(
                decisionBytes({
                  caseId: c.id,
                  decision: to,
                  inspectorate: c.inspectorate,
                  note: text,
                  linkedReport: linkedReport ?? null,
                }),
              ),
            }
          : undefined;
      await casesApi.transition(c.id, {
        to,
        ...(text ? { note: text } : {}),
        ...(rule?.due && due ? { dueDate: due } : {}),
        internal: to === 'question-sent' ? false : internal,
        ...(linkedReport ? { linkedReport } : {}),
        ...(signature ? { signature } : {}),
      });
      setNote('');
      setDue('');
      setLinked('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const missing =
    (rule?.note && note.trim() === '') || (rule?.due && due === '') || (decision && !signingKey);
  return (
    <Section title="Move the case">
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="tr-to">New status</label>
          <select id="tr-to" value={to} onChange={(e) => setTo(e.target.value)}>
            {options.map((o) => (
              <option key={o.to} value={o.to}>
                {statusLabel(o.to)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tr-note">
            {to === 'question-sent'
              ? 'Question to the state'
              : to === 'resolved'
                ? 'Decision and reason'
                : 'Note'}
            {rule?.note ? ' (required)' : ' (optional)'}
          </label>
          <textarea id="tr-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        {rule?.due && (
          <div className="field">
            <label htmlFor="tr-due">Answer due date</label>
            <input id="tr-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} required />
          </div>
        )}
        {to === 'resolved' && (
          <div className="field">
            <label htmlFor="tr-linked">Correction report that fixed it (optional report id)</label>
            <input id="tr-linked" value={linked} onChange={(e) => setLinked(e.target.value)} />
          </div>
        )}
        {to !== 'question-sent' && (
          <label className="check">
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />{' '}
            Internal note (the state does not see it)
          </label>
        )}
        {decision && <DecisionKey inspectorate={c.inspectorate} signingKey={signingKey} setKey={setKey} />}
        {decision && !signingKey && (
          <p className="muted small">A decision is signed by {c.inspectorate}: choose its key file first.</p>
        )}
        {error !== undefined && <ErrorState error={error} />}
        <div className="row">
          <button type="submit" className="primary" disabled={busy || missing}>
            {busy
              ? 'Saving…'
              : to === 'question-sent'
                ? 'Send the question'
                : decision
                  ? `Sign and mark as ${statusLabel(to).toLowerCase()}`
                  : `Mark as ${statusLabel(to).toLowerCase()}`}
          </button>
        </div>
      </form>
    </Section>
  );
}

/** The correction report the state linked in its latest answer, if any. */
function linkedOf(c: CaseDetail): string | undefined {
  return [...c.history].reverse().find((e) => e.linkedReport !== undefined)?.linkedReport;
}

/** The state's newest reports (of the case's MBA when it has one), to link a correction. */
function useCorrectionCandidates(c: CaseDetail) {
  return useLoad(
    () => reportsApi.list({ state: c.state, ...(c.mba ? { mba: c.mba } : {}), limit: 20 }),
    [c.state, c.mba],
  );
}

function AnswerForm({ c, onDone }: { c: CaseDetail; onDone: () => void }) {
  const candidates = useCorrectionCandidates(c);
  const [linked, setLinked] = useState('');
  const [text, setText] = useState('');
  const [files, setFiles] = useState<FileList | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const attachments = await readAttachments(files);
      if (attachments.length > 0) {
        await casesApi.message(c.id, { text: 'Attachments to our answer', attachments });
      }
      await casesApi.transition(c.id, {
        to: 'answered',
        note: text.trim(),
        ...(linked ? { linkedReport: linked } : {}),
      });
      setText('');
      setLinked('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Answer the question">
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="ans-text">Your answer</label>
          <textarea id="ans-text" rows={4} value={text} onChange={(e) => setText(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="ans-report">Correction report (optional)</label>
          <select id="ans-report" value={linked} onChange={(e) => setLinked(e.target.value)}>
            <option value="">none</option>
            {(candidates.data ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.id} — {r.type} no. {r.reportNumber} of {r.mba}, {r.reportDate}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ans-files">Files for your answer (optional)</label>
          <input id="ans-files" type="file" multiple onChange={(e) => setFiles(e.target.files)} />
        </div>
        {error !== undefined && <ErrorState error={error} />}
        <button type="submit" className="primary" disabled={busy || text.trim() === ''}>
          {busy ? 'Sending…' : 'Send the answer'}
        </button>
      </form>
    </Section>
  );
}

function MessageForm({ c, owner, onDone }: { c: CaseDetail; owner: boolean; onDone: () => void }) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState<FileList | null>(null);
  const [internal, setInternal] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [inputKey, setInputKey] = useState(0);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const attachments = await readAttachments(files);
      await casesApi.message(c.id, {
        text: text.trim(),
        ...(owner ? { internal } : {}),
        ...(attachments.length ? { attachments } : {}),
      });
      setText('');
      setFiles(null);
      setInputKey((k) => k + 1);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Add a message">
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="msg-text">Message</label>
          <textarea id="msg-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="msg-files">Attachments (optional)</label>
          <input
            key={inputKey}
            id="msg-files"
            type="file"
            multiple
            onChange={(e) => setFiles(e.target.files)}
          />
        </div>
        {owner && (
          <label className="check">
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />{' '}
            Internal (only your inspectorate sees it)
          </label>
        )}
        {error !== undefined && <ErrorState error={error} />}
        <button type="submit" disabled={busy || (text.trim() === '' && !files?.length)}>
          {busy ? 'Sending…' : 'Send message'}
        </button>
      </form>
    </Section>
  );
}

type SignatureCheck =
  | { readonly kind: 'verified'; readonly keyId: string }
  | { readonly kind: 'failed'; readonly keyId: string; readonly reason: string }
  | { readonly kind: 'hidden'; readonly keyId: string }
  | { readonly kind: 'unsigned' };

/**
 * Verifies a decision's signature in the browser: the bytes are rebuilt from the case as shown
 * and checked against the inspectorate's registered public key (never trusting the server's word).
 */
async function checkDecisionSignature(c: CaseDetail, e: CaseEvent | undefined): Promise<SignatureCheck> {
  const sig = e?.signature;
  if (!e || !sig) return { kind: 'unsigned' };
  // A decision always carries a note; without one here it is internal to the inspectorate.
  if (!e.note) return { kind: 'hidden', keyId: sig.keyId };
  const keys = await api.keys(c.inspectorate);
  const key = keys.find((k) => k.id === sig.keyId);
  if (!key)
    return {
      kind: 'failed',
      keyId: sig.keyId,
      reason: `${c.inspectorate} has no registered key ${sig.keyId}`,
    };
  if (!isKeyValidAt(key, e.at)) {
    return { kind: 'failed', keyId: sig.keyId, reason: 'the key was not valid when the decision was taken' };
  }
  const bytes = decisionBytes({
    caseId: c.id,
    decision: e.to ?? '',
    inspectorate: c.inspectorate,
    note: e.note.text,
    linkedReport: e.linkedReport ?? null,
  });
  return verifySignature(key.publicKey, bytes, sig.signature)
    ? { kind: 'verified', keyId: sig.keyId }
    : { kind: 'failed', keyId: sig.keyId, reason: 'the signature does not match the decision' };
}

function SignatureStatus({ check, inspectorate }: { check: SignatureCheck; inspectorate: string }) {
  switch (check.kind) {
    case 'verified':
      return (
        <p data-testid="decision-signature">
          <span className="badge badge-ok">Signature verified</span> Signed by {inspectorate} with key{' '}
          <span className="mono">{check.keyId}</span>, checked in this browser against its registered public
          key.
        </p>
      );
    case 'failed':
      return (
        <p data-testid="decision-signature">
          <span className="badge badge-bad">Signature does not verify</span> Key{' '}
          <span className="mono">{check.keyId}</span>: {check.reason}.
        </p>
      );
    case 'hidden':
      return (
        <p data-testid="decision-signature">
          <span className="badge badge-wait">Signed</span> by {inspectorate} with key{' '}
          <span className="mono">{check.keyId}</span>; its note is internal to the inspectorate, so the
          signature cannot be checked here.
        </p>
      );
    default:
      return (
        <p data-testid="decision-signature" className="muted">
          Not signed: a decision taken before signatures were required, attested by the log only.
        </p>
      );
  }
}

/** The decision is a logged, signed case transition: both are verified here, in the browser. */
function Decision({ c }: { c: CaseDetail }) {
  const decision = c.decision;
  const recordId = decision ? `case-transition:${c.id}:${decision.seq}` : '';
  const event = decision ? c.history.find((e) => e.seq === decision.seq) : undefined;
  const record = useLoad(
    () => (decision ? casesApi.record(recordId) : Promise.resolve(undefined)),
    [recordId],
  );
  const signature = useLoad(() => checkDecisionSignature(c, event), [recordId, event?.signature?.signature]);
  if (!decision) return null;
  return (
    <Section title="Decision">
      <p>
        <StatusBadge status={decision.status} /> {event ? `on ${event.at.slice(0, 10)}` : ''}
        {event?.note && !event.note.internal ? ` — ${event.note.text}` : ''}
      </p>
      {event?.linkedReport && (
        <p>
          Correction report: <span className="mono">{event.linkedReport}</span>
        </p>
      )}
      <Async value={signature} what="the decision's signature">
        {(check) => <SignatureStatus check={check} inspectorate={c.inspectorate} />}
      </Async>
      <Async value={record} what="the decision's log record">
        {(r) =>
          r ? (
            <p>
              Recorded in the log as <span className="mono">{r.id}</span>, entry{' '}
              <span data-testid="decision-log-index">{r.logIndex}</span>.{' '}
              <Link to={`/log?entry=${r.logIndex}`}>Verify it in the log explorer</Link>
            </p>
          ) : null
        }
      </Async>
    </Section>
  );
}

/**
 * Transitions arrive as events, but the server publishes none for a plain message: while the
 * case is on screen and the tab visible, it is re-read every 20 s so a new message still appears.
 */
function useMessagePoll(reload: () => void) {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, 20_000);
    return () => clearInterval(timer);
  }, [reload]);
}

export function CaseDetailPage({ id }: { id: string }) {
  const me = useMe();
  const data = useLoad(() => casesApi.get(id), [id]);
  useLiveReload((e) => isCaseEvent(e) && e.data.case === id, data.reload);
  useMessagePoll(data.reload);
  return (
    <Page title={data.data?.title ?? `Case ${id}`} lead={<Link to="/cases">All cases</Link>}>
      <Async value={data} what="the case">
        {(c) => {
          const actor = actorOf(me, c);
          return (
            <>
              <dl className="facts">
                <dt>Status</dt>
                <dd data-testid="case-status">
                  <StatusBadge status={c.status} overdue={c.overdue} />
                  {c.dueDate ? ` answer due ${c.dueDate}` : ''}
                </dd>
                <dt>Kind</dt>
                <dd>{c.kind}</dd>
                <dt>State</dt>
                <dd>{c.state}</dd>
                {c.mba && (
                  <>
                    <dt>MBA</dt>
                    <dd>
                      <Link to={`/mbas/${encodeURIComponent(c.mba)}/evaluation`}>{c.mba}</Link>
                    </dd>
                  </>
                )}
                <dt>Owner</dt>
                <dd>
                  {c.inspectorate}
                  {c.sharedWith.length ? ` (shared with ${c.sharedWith.join(', ')})` : ''}
                </dd>
                <dt>Opened</dt>
                <dd>{c.openedAt.replace('T', ' ').slice(0, 16)} UTC</dd>
              </dl>
              <Decision c={c} />
              <Section title="Thread">
                <Thread c={c} />
              </Section>
              {actor === 'state' && c.status === 'question-sent' && <AnswerForm c={c} onDone={data.reload} />}
              {actor === 'owner' && <TransitionForm key={c.status} c={c} onDone={data.reload} />}
              {actor !== 'reader' && <MessageForm c={c} owner={actor === 'owner'} onDone={data.reload} />}
            </>
          );
        }}
      </Async>
    </Page>
  );
}
