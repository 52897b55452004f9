/**
 * A device's refused batches (decision 0064): when, which seq, the refusal's code and each of its
 * problems in the user's language, worded from its code, rule and values (decision 0052). The
 * state sees them as it sees the device's health; an event's time is given only to those who may
 * read the device's data, and without it the problem is worded by its code.
 */
import { useState } from 'react';
import { monitoringApi, type RefusalPage } from '../../api/monitoring.js';
import { Async, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { Pager, Table } from '../../components/Table.js';
import { formatDate } from '../../i18n/format.js';
import { type Translate, useT } from '../../i18n/I18nProvider.js';
import { errorText, problemText } from '../../i18n/problems.js';

const PAGE = 20;

type Refusal = RefusalPage['items'][number];

/** Why a batch was refused: each problem worded whole, else the refusal's code in words. */
function reasons(r: Refusal, t: Translate): string[] {
  const worded = r.problems.map((p) => problemText(t, p) ?? errorText(t, r.code));
  return worded.length > 0 ? worded : [errorText(t, r.code)];
}

export function RefusedBatches({ id }: { id: string }) {
  const t = useT();
  const [at, setAt] = useState(0);
  const data = useLoad(() => monitoringApi.refusals(id, PAGE, at * PAGE), [id, at]);
  return (
    <Section title={t('devices.refusals')}>
      <Async value={data} what={t('devices.refusalsWhat')}>
        {(page) => {
          const pages = Math.max(1, Math.ceil(page.total / PAGE));
          const caption = t('devices.refusalsCaption', { id, count: page.total });
          return (
            <>
              <Table<Refusal>
                caption={caption}
                columns={[
                  { key: 'at', header: t('devices.col.at'), render: (r) => formatDate(r.at) },
                  { key: 'seq', header: t('devices.col.seq'), render: (r) => r.seq ?? '—' },
                  {
                    key: 'code',
                    header: t('devices.col.refusal'),
                    render: (r) => (
                      <span>
                        {errorText(t, r.code)} <code className="problem-code">{r.code}</code>
                      </span>
                    ),
                  },
                  {
                    key: 'why',
                    header: t('devices.col.detail'),
                    render: (r) => (
                      <ul className="problem-list" data-testid="refusal-problems">
                        {reasons(r, t).map((s, i) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity beyond their place
                          <li key={i}>{s}</li>
                        ))}
                      </ul>
                    ),
                  },
                ]}
                rows={page.items}
                rowKey={(r) => `${r.at}:${r.seq ?? ''}:${r.code}:${page.items.indexOf(r)}`}
                empty={t('devices.refusalsNone')}
                windowRows={PAGE}
              />
              {pages > 1 && (
                <Pager caption={caption} page={at} pages={pages} last={at + 1 >= pages} onPage={setAt} />
              )}
            </>
          );
        }}
      </Async>
    </Section>
  );
}
