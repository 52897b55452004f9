/**
 * A record's provenance (issue 17 items 3 and 7). For a record received from another node, the
 * chain file (decision 0028) is verified here, in the browser, with the same pure code the CLI's
 * `custos proof verify` runs: the state's key registration and signed record in the source's log,
 * this node's own `received` record in its log, and the link between them.
 */
import { useState } from 'react';
import {
  type ChainStep,
  type ChainVerification,
  verifyProvenanceChain,
} from '../../../src/domain/federation/index.js';
import { type ChainFile, federationApi } from '../api/federation.js';
import { Async, ErrorState, useLoad } from '../components/async.js';
import { Checks, Verdict } from '../components/Checks.js';
import { Page, Section } from '../components/Page.js';
import { hasMessage, type MessageKey, useT } from '../i18n/I18nProvider.js';
import type { Step } from '../verify.js';

const STEPS: Record<ChainStep, MessageKey> = {
  'key-registration': 'prov.step.keyRegistration',
  source: 'prov.step.source',
  receiver: 'prov.step.receiver',
  link: 'prov.step.link',
};

/** The chain's links in order, each verified or the first failing one with its code. */
function stepsOf(file: ChainFile, v: ChainVerification): Step[] {
  const hasKey = typeof file.chain === 'object' && file.chain !== null && 'keyRegistration' in file.chain;
  const order: ChainStep[] = [
    ...(hasKey ? (['key-registration'] as const) : []),
    'source',
    'receiver',
    'link',
  ];
  if (v.ok) return order.map((s) => ({ label: { key: STEPS[s] }, ok: true }));
  const out: Step[] = [];
  for (const s of order) {
    if (s === v.step) {
      // The refusal's code in the user's language (the verifier's English is for the CLI).
      const key = `bundle.${v.code}`;
      out.push({
        label: { key: STEPS[s] },
        ok: false,
        detail: hasMessage(key) ? { key } : { key: 'error.UNKNOWN', values: { code: v.code } },
      });
      break;
    }
    out.push({ label: { key: STEPS[s] }, ok: true });
  }
  return out;
}

export default function ProvenancePage({ id }: { id: string }) {
  const t = useT();
  const data = useLoad(() => federationApi.provenance(id), [id]);
  return (
    <Page title={t('prov.title')} lead={t('prov.lead', { id })}>
      <Async value={data} what={t('prov.what')}>
        {(p) => (
          <>
            <Section title={t('prov.chain')}>
              <ol className="stack">
                {p.chain.map((c) => (
                  <li key={`${c.origin}:${c.logIndex}`}>
                    {t('prov.entry', { origin: c.origin, index: c.logIndex })}
                    {c.leafHash && (
                      <>
                        {' '}
                        <span className="muted">{t('prov.leafHash')}</span>{' '}
                        <span className="mono break">{c.leafHash}</span>
                      </>
                    )}
                  </li>
                ))}
              </ol>
            </Section>
            {p.chain.length > 1 ? <ChainCheck id={id} /> : <p className="muted">{t('prov.ownRecord')}</p>}
          </>
        )}
      </Async>
    </Page>
  );
}

function ChainCheck({ id }: { id: string }) {
  const t = useT();
  const file = useLoad(() => federationApi.chain(id), [id]);
  const [shown, setShown] = useState(false);
  return (
    <Section title={t('prov.verification')}>
      <Async value={file} what={t('prov.whatChain')}>
        {(f) => {
          let v: ChainVerification;
          try {
            v = verifyProvenanceChain(f.chain, {
              sourceLogKey: f.sourceLogKey,
              receiverLogKey: f.receiverLogKey,
            });
          } catch (e) {
            return <ErrorState error={e} />;
          }
          return (
            <>
              <Verdict ok={v.ok} good={t('prov.verified')} bad={t('prov.notVerified')} />
              <Checks steps={stepsOf(f, v)} label={t('prov.checks')} />
              <dl className="facts">
                <dt>{t('prov.sourceKey')}</dt>
                <dd className="mono break">{f.sourceLogKey}</dd>
                <dt>{t('prov.receiverKey')}</dt>
                <dd className="mono break">{f.receiverLogKey}</dd>
              </dl>
              <p className="muted">{t('prov.offlineHint')}</p>
              <button type="button" aria-expanded={shown} onClick={() => setShown(!shown)}>
                {shown ? t('prov.hideFile') : t('prov.showFile')}
              </button>
              {shown && <pre className="break">{JSON.stringify(f.chain, null, 2)}</pre>}
            </>
          );
        }}
      </Async>
    </Section>
  );
}
