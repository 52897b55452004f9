import { type FormEvent, useMemo, useState } from 'react';
import {
  articleSpec,
  DECLARATION_ARTICLES,
  parseDeclarationJson,
} from '../../../../src/domain/declarations/index.js';
import { type ErrorDetail, isApiError } from '../../api/client.js';
import { type DeclarationAccepted, legalApi } from '../../api/legal.js';
import { reportsApi } from '../../api/reports.js';
import { capabilityKey, useCapabilities } from '../../capabilities.js';
import { Async, EmptyState, ErrorState, useLoad } from '../../components/async.js';
import { Page, Section } from '../../components/Page.js';
import { Table } from '../../components/Table.js';
import { formatDate } from '../../i18n/format.js';
import { useT } from '../../i18n/I18nProvider.js';
import { ProblemText } from '../../i18n/problems.js';
import { articleTitle, codeLabel } from '../../i18n/terms.js';
import { Link, useSearchParam } from '../../router.js';
import { useSession } from '../../session.js';
import type { DetachedCheck, SigningKey } from '../../signing.js';
import { itemsFromCsv } from './csv.js';
import { DeclarationDeadlines } from './DeclarationDeadlines.js';
import { DeclarationSigning } from './DeclarationSignature.js';
import { ItemValue, SiteMapUpload } from './SiteMap.js';
import { declarationOfJson, type UploadFailure } from './upload.js';

type Article = (typeof DECLARATION_ARTICLES)[number];

/** The name the bytes to sign are downloaded under: a file name, not a sentence. */
const declarationFileName = (state: string, article: string, from: string) =>
  `declaration-${state}-${article}-${from || 'period'}.json`;
type Item = Record<string, string>;
const declPath = (id: string) => `/declarations/${encodeURIComponent(id)}`;

/** `/states/:code/declarations`: the state's declarations, newest first, and its Article 3 deadlines. */
export function DeclarationsPage({ state }: { state: string }) {
  const t = useT();
  const { me } = useSession();
  const caps = useCapabilities();
  const list = useLoad(() => legalApi.declarations(state), [state]);
  const canTimeliness = caps.has(capabilityKey('get', '/api/states/{code}/timeliness'));
  const timeliness = useLoad(
    // Only its declarations are shown here: one obligation of the reports is enough to ask for.
    () => (canTimeliness ? reportsApi.timeliness(state, { limit: 1 }) : Promise.resolve(undefined)),
    [state, canTimeliness],
  );
  const canDeclare = me?.state === state && me.roles.includes('submitter');
  return (
    <Page
      title={t('decl.title', { state })}
      lead={t('decl.lead')}
      actions={canDeclare ? <Link to="/declarations/new">{t('decl.new')}</Link> : undefined}
    >
      <Async value={timeliness} what={t('decl.what.deadlines')}>
        {(r) => (r ? <DeclarationDeadlines record={r} /> : null)}
      </Async>
      <Section title={t('decl.submitted')}>
        <Async value={list} what={t('decl.what.list')}>
          {(l) =>
            l.items.length === 0 ? (
              <EmptyState title={t('decl.none')} />
            ) : (
              <Table
                caption={t('decl.caption', { state, count: l.total })}
                columns={[
                  {
                    key: 'id',
                    header: t('decl.col.id'),
                    render: (d) => <Link to={declPath(d.id)}>{d.id}</Link>,
                    sortValue: (d) => d.id,
                  },
                  {
                    key: 'article',
                    header: t('decl.col.article'),
                    render: (d) => d.article,
                    sortValue: (d) => d.article,
                  },
                  {
                    key: 'period',
                    header: t('decl.col.period'),
                    render: (d) => `${formatDate(d.period.from)} – ${formatDate(d.period.to)}`,
                    sortValue: (d) => d.period.from,
                  },
                  { key: 'items', header: t('decl.col.items'), render: (d) => d.itemCount, numeric: true },
                  {
                    key: 'chain',
                    header: t('decl.col.chain'),
                    render: (d) =>
                      d.supplementedBy
                        ? t('decl.amendedBy', { id: d.supplementedBy })
                        : d.supplements
                          ? t('decl.amends', { id: d.supplements })
                          : '',
                  },
                  {
                    key: 'at',
                    header: t('decl.col.submitted'),
                    render: (d) => formatDate(d.submittedAt),
                    sortValue: (d) => d.submittedAt,
                  },
                ]}
                rows={l.items}
                rowKey={(d) => d.id}
                filterLabel={t('decl.filter')}
              />
            )
          }
        </Async>
      </Section>
    </Page>
  );
}

/** `/declarations/:id`: one locked declaration, its items, its chain of supplements, its receipt. */
export function DeclarationPage({ id }: { id: string }) {
  const t = useT();
  const { me } = useSession();
  const data = useLoad(() => legalApi.declaration(id), [id]);
  return (
    <Page title={t('decl.one', { id })}>
      <Async value={data} what={t('decl.what.one')}>
        {(d) => {
          const fields = [...new Set(d.items.flatMap((i) => Object.keys(i)))];
          return (
            <>
              <p>
                <span className="badge">{t('decl.locked')}</span>{' '}
                {t('decl.facts', {
                  state: d.state,
                  article: d.article,
                  ref: d.ref ?? '—',
                  from: formatDate(d.period.from),
                  to: formatDate(d.period.to),
                  at: formatDate(d.submittedAt),
                  keyId: d.keyId,
                  index: d.logIndex,
                })}{' '}
                <a href={d.receiptUrl}>{t('decl.receipt')}</a>
              </p>
              {me?.state === d.state && d.supplementedBy === null && me.roles.includes('submitter') && (
                <p>
                  <Link to={`/declarations/new?supplements=${encodeURIComponent(d.id)}`}>
                    {t('decl.supplement')}
                  </Link>
                </p>
              )}
              <Section title={t('decl.history')}>
                <ol>
                  {d.history.map((h) => (
                    <li key={h}>{h === d.id ? <strong>{h}</strong> : <Link to={declPath(h)}>{h}</Link>}</li>
                  ))}
                </ol>
              </Section>
              <Section title={t('decl.itemsTitle', { count: d.items.length })}>
                {d.items.length === 0 ? (
                  <p>{t('decl.nothingToDeclare')}</p>
                ) : (
                  <Table<Record<string, string | number>>
                    caption={t('decl.itemsCaption', { id: d.id })}
                    columns={fields.map((f) => ({
                      key: f,
                      header: codeLabel('decl.field.', f, t),
                      render: (i) => <ItemValue declaration={d.id} value={i[f]} />,
                    }))}
                    rows={d.items.map((i, n) => ({ ...i, '#': n }))}
                    rowKey={(i) => String(i['#'])}
                  />
                )}
              </Section>
            </>
          );
        }}
      </Async>
    </Page>
  );
}

/** Form text → the item as the schema wants it: quantities and years as numbers. */
function typedItem(article: Article, item: Item): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const f of articleSpec(article).fields) {
    const v = (item[f.name] ?? '').trim();
    if (v === '') continue;
    out[f.name] = (f.kind === 'quantity' || f.kind === 'year') && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

/** `/declarations/new`: the AP declaration editor, with every problem at once, signed here. */
export function DeclarationEditor() {
  const t = useT();
  const { me } = useSession();
  const [supplements] = useSearchParam('supplements');
  const base = useLoad(
    () => (supplements ? legalApi.declaration(supplements) : Promise.resolve(null)),
    [supplements],
  );
  return (
    <Page
      title={supplements ? t('decl.editorSupplement', { id: supplements }) : t('decl.editor')}
      lead={t('decl.editorLead')}
    >
      {!me?.state ? (
        <EmptyState title={t('decl.stateOnly')} />
      ) : (
        <Async value={base} what={t('decl.what.one')}>
          {(b) => (
            <EditorForm
              state={me.state as string}
              supplements={b?.id}
              initial={
                b
                  ? {
                      article: b.article as Article,
                      from: b.period.from,
                      to: b.period.to,
                      items: b.items.map((i) =>
                        Object.fromEntries(Object.entries(i).map(([k, v]) => [k, String(v)])),
                      ),
                    }
                  : undefined
              }
            />
          )}
        </Async>
      )}
    </Page>
  );
}

// long: one form whose header, items, upload, key and problems share the draft's state
function EditorForm({
  state,
  supplements,
  initial,
}: {
  state: string;
  supplements: string | undefined;
  initial: { article: Article; from: string; to: string; items: Item[] } | undefined;
}) {
  const t = useT();
  const [article, setArticle] = useState<Article>(initial?.article ?? '2.a.ix');
  const [from, setFrom] = useState(initial?.from ?? '');
  const [to, setTo] = useState(initial?.to ?? '');
  const [items, setItems] = useState<Item[]>(initial?.items ?? []);
  const { me } = useSession();
  const [mode, setMode] = useState<'key' | 'signature'>('key');
  const [key, setKey] = useState<SigningKey | undefined>(undefined);
  const [signature, setSignature] = useState('');
  const [check, setCheck] = useState<DetachedCheck | undefined>(undefined);
  const [uploadError, setUploadError] = useState<UploadFailure | undefined>(undefined);
  const [problems, setProblems] = useState<ErrorDetail[] | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [accepted, setAccepted] = useState<DeclarationAccepted | undefined>(undefined);
  const spec = articleSpec(article);
  const body = useMemo(
    () =>
      JSON.stringify({
        state,
        article,
        period: { from, to },
        items: items.map((i) => typedItem(article, i)),
        ...(supplements ? { supplements } : {}),
      }),
    [state, article, from, to, items, supplements],
  );
  const bytes = useMemo(() => new TextEncoder().encode(body), [body]);
  const ready = mode === 'key' ? key !== undefined : check?.kind === 'verified';
  const setField = (n: number, name: string, value: string) =>
    setItems((is) => is.map((i, j) => (j === n ? { ...i, [name]: value } : i)));
  const upload = async (file: File) => {
    setUploadError(undefined);
    let text: string;
    try {
      text = await file.text();
    } catch {
      setUploadError('unreadable');
      return;
    }
    if (/\.csv$/i.test(file.name) || !/^\s*[[{]/.test(text)) {
      setItems(itemsFromCsv(text));
      return;
    }
    const read = declarationOfJson(text);
    if (typeof read === 'string') {
      setUploadError(read);
      return;
    }
    if (read.article && (DECLARATION_ARTICLES as readonly string[]).includes(read.article))
      setArticle(read.article as Article);
    if (read.period?.from) setFrom(read.period.from);
    if (read.period?.to) setTo(read.period.to);
    setItems(read.items);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    setAccepted(undefined);
    // Every problem at once, before anything is signed or sent (the server's own checks).
    const local = parseDeclarationJson(bytes);
    if (!local.ok) {
      setProblems(local.details as ErrorDetail[]);
      return;
    }
    setProblems(undefined);
    // A pasted signature is sent only once it was verified over these very bytes.
    const header =
      mode === 'key' ? key?.sign(bytes) : check?.kind === 'verified' ? signature.trim() : undefined;
    if (header === undefined) return;
    try {
      setAccepted(await legalApi.declare(bytes, header));
    } catch (err) {
      if (isApiError(err) && err.status === 422 && Array.isArray(err.details))
        setProblems(err.details as ErrorDetail[]);
      else setFailure(err);
    }
  };
  return (
    <form onSubmit={submit}>
      <Section title={t('decl.header')}>
        <div className="field">
          <label htmlFor="decl-article">{t('decl.article')}</label>
          <select
            id="decl-article"
            value={article}
            disabled={supplements !== undefined}
            onChange={(e) => setArticle(e.target.value as Article)}
          >
            {DECLARATION_ARTICLES.map((a) => (
              <option key={a} value={a}>
                {a} — {articleSpec(a).ref}
              </option>
            ))}
          </select>
          <p className="muted small">{articleTitle(t, spec)}</p>
        </div>
        <div className="field">
          <label htmlFor="decl-from">{t('decl.from')}</label>
          <input
            id="decl-from"
            type="date"
            value={from}
            readOnly={supplements !== undefined}
            onChange={(e) => setFrom(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="decl-to">{t('decl.to')}</label>
          <input
            id="decl-to"
            type="date"
            value={to}
            readOnly={supplements !== undefined}
            onChange={(e) => setTo(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="decl-upload">{t('decl.upload')}</label>
          <input
            id="decl-upload"
            type="file"
            accept=".json,.csv,application/json,text/csv"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void upload(f);
            }}
          />
          <p className={uploadError ? 'field-error' : 'muted small'} role={uploadError ? 'alert' : undefined}>
            {uploadError ? t(`decl.upload.${uploadError}`) : t('decl.uploadHint')}
          </p>
        </div>
      </Section>
      <Section title={t('decl.itemsTitle', { count: items.length })}>
        {items.length === 0 && <p>{t('decl.nothingToDeclare')}</p>}
        {items.map((item, n) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: items being edited have no identity yet
          <fieldset key={n} className="decl-item">
            <legend>{t('decl.item', { n: n + 1 })}</legend>
            {spec.fields.map((f) => (
              <div className="field" key={f.name}>
                <label htmlFor={`item-${n}-${f.name}`}>
                  {codeLabel('decl.field.', f.name, t)}
                  {f.required ? '' : ` ${t('decl.optional')}`}
                </label>
                {f.values ? (
                  <select
                    id={`item-${n}-${f.name}`}
                    value={item[f.name] ?? ''}
                    onChange={(e) => setField(n, f.name, e.target.value)}
                  >
                    <option value="" />
                    {f.values.map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={`item-${n}-${f.name}`}
                    type={f.kind === 'date' ? 'date' : 'text'}
                    inputMode={f.kind === 'quantity' || f.kind === 'year' ? 'decimal' : undefined}
                    value={item[f.name] ?? ''}
                    onChange={(e) => setField(n, f.name, e.target.value)}
                  />
                )}
                {f.kind === 'attachment' && (
                  <SiteMapUpload state={state} n={n} onUploaded={(ref) => setField(n, f.name, ref)} />
                )}
              </div>
            ))}
            <button type="button" onClick={() => setItems((is) => is.filter((_x, j) => j !== n))}>
              {t('decl.removeItem', { n: n + 1 })}
            </button>
          </fieldset>
        ))}
        <button type="button" onClick={() => setItems((is) => [...is, {}])}>
          {t('decl.addItem')}
        </button>
      </Section>
      <DeclarationSigning
        mode={mode}
        setMode={setMode}
        signingKey={key}
        setKey={setKey}
        bytes={bytes}
        fileName={declarationFileName(state, article, from)}
        organisation={me?.organisation ?? ''}
        signature={signature}
        setSignature={setSignature}
        onCheck={setCheck}
      />
      <div className="row">
        <button type="submit" className="primary" disabled={!ready}>
          {t('decl.signSubmit')}
        </button>
      </div>
      {problems && (
        <section className="section" aria-labelledby="decl-problems">
          <h2 id="decl-problems">{t('decl.problems', { count: problems.length })}</h2>
          <div className="notice notice-error" role="alert">
            <ul>
              {problems.map((p, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
                <li key={i}>
                  {typeof p.item === 'number' && <>{t('decl.item', { n: p.item + 1 })}: </>}
                  <ProblemText detail={p} />
                </li>
              ))}
            </ul>
          </div>
        </section>
      )}
      {failure !== undefined && <ErrorState error={failure} />}
      {accepted && (
        <p className="notice notice-ok" role="status">
          {t('decl.accepted', { id: accepted.id, index: accepted.logIndex })}{' '}
          <Link to={declPath(accepted.id)}>{t('decl.open')}</Link>
        </p>
      )}
    </form>
  );
}
