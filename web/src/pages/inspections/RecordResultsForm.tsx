import { useState } from 'react';
import { type Inspection, type ItemResult, inspectionsApi, type StratumResult } from '../../api.js';
import { ErrorState } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { useSubmit } from '../../components/useSubmit.js';
import { formatLocale } from '../../i18n/format.js';
import { useT } from '../../i18n/I18nProvider.js';
import { activityName } from '../../i18n/terms.js';

/** An example stratum name: names are codes (letters, digits, `._-`), so it is not translated. */
const EXAMPLE_STRATUM = 'pellets';

/** Grams to one decimal, the unit worded by `Intl` in the user's language. */
const grams = (x: number) =>
  x.toLocaleString(formatLocale(), {
    style: 'unit',
    unit: 'gram',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });

/** `itemId,declared,measured` per line; an empty measured value means not measured. */
function parseItems(text: string): ItemResult[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^item/i.test(l))
    .map((l) => {
      const [itemId = '', declared = '', measured = ''] = l.split(',').map((c) => c.trim());
      return {
        itemId,
        declared: Number(declared),
        ...(measured === '' ? {} : { measured: Number(measured) }),
      };
    });
}

function NumberField(props: {
  id: string;
  label: string;
  value: string;
  set(v: string): void;
  decimal?: boolean;
  required?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        inputMode={props.decimal ? 'decimal' : 'numeric'}
        value={props.value}
        onChange={(e) => props.set(e.target.value)}
        required={props.required}
      />
    </div>
  );
}

/** What the server made of the items: the D statistic and the items that differ significantly. */
function StratumOutcome({ result }: { result: StratumResult }) {
  const t = useT();
  const significant = result.itemTests.filter((t) => t.significant);
  return (
    <div role="status" data-testid="stratum-result">
      <p>
        <strong>{t('insp.rr.recorded', { count: result.items.length, stratum: result.stratum })}</strong>
        {result.dStatistic
          ? t('insp.rr.dStatistic', {
              d: grams(result.dStatistic.D),
              sigma: grams(Math.sqrt(result.dStatistic.variance)),
            })
          : '.'}{' '}
        {significant.length === 0
          ? t('insp.rr.noneSignificant')
          : t('insp.rr.significant', {
              list: significant.map((x) => `${x.id} (${grams(x.difference)} ± ${grams(x.sigma)})`).join(', '),
            })}
      </p>
    </div>
  );
}

/** Records a stratum's verification results (defines the stratum first, then posts the items). */
export function RecordResultsForm({
  inspection,
  organisation,
  onDone,
}: {
  inspection: Inspection;
  organisation: string;
  onDone(): void;
}) {
  const t = useT();
  const mine = (inspection.activities ?? []).filter((a) => a.inspectorate === organisation);
  if (mine.length === 0) {
    return (
      <Section title={t('insp.rr.title')}>
        <p className="muted">{t('insp.rr.noneMine', { organisation })}</p>
      </Section>
    );
  }
  return <StratumForm inspection={inspection} activities={mine.map((a) => a.activity)} onDone={onDone} />;
}

function StratumForm({
  inspection,
  activities,
  onDone,
}: {
  inspection: Inspection;
  activities: readonly string[];
  onDone(): void;
}) {
  const t = useT();
  const [stratum, setStratum] = useState('');
  const [activity, setActivity] = useState(activities[0] ?? '');
  const [mba, setMba] = useState(inspection.mbas[0] ?? '');
  const [population, setPopulation] = useState('');
  const [opRandom, setOpRandom] = useState('0.001');
  const [inRandom, setInRandom] = useState('0.005');
  const [items, setItems] = useState('');
  const [result, setResult] = useState<StratumResult | undefined>(undefined);
  const { busy, error, onSubmit } = useSubmit(async () => {
    setResult(undefined);
    const name = stratum.trim();
    await inspectionsApi.defineStratum(inspection.id, name, {
      activity,
      population: Number(population),
      operator: { random: Number(opRandom), systematic: 0 },
      inspector: { random: Number(inRandom), systematic: 0 },
      ...(mba ? { mba } : {}),
    });
    setResult(await inspectionsApi.recordItems(inspection.id, name, parseItems(items)));
    onDone();
  });
  return (
    <Section title={t('insp.rr.title')}>
      <form onSubmit={onSubmit} className="stack" aria-label={t('insp.rr.title')}>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="rr-stratum">{t('insp.rr.stratum')}</label>
            <input
              id="rr-stratum"
              value={stratum}
              onChange={(e) => setStratum(e.target.value)}
              placeholder={EXAMPLE_STRATUM}
              required
              pattern="[A-Za-z0-9._\-]{1,64}"
            />
          </div>
          <div className="field">
            <label htmlFor="rr-activity">{t('insp.act.activity')}</label>
            <select id="rr-activity" value={activity} onChange={(e) => setActivity(e.target.value)}>
              {activities.map((a) => (
                <option key={a} value={a}>
                  {activityName(t, a)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="rr-mba">{t('reports.mba')}</label>
            <select id="rr-mba" value={mba} onChange={(e) => setMba(e.target.value)}>
              <option value="">{t('case.answer.none')}</option>
              {inspection.mbas.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <NumberField
            id="rr-population"
            label={t('insp.rr.population')}
            value={population}
            set={setPopulation}
            required
          />
          <NumberField
            id="rr-op"
            label={t('insp.rr.operatorError')}
            decimal
            value={opRandom}
            set={setOpRandom}
          />
          <NumberField
            id="rr-in"
            label={t('insp.rr.inspectorError')}
            decimal
            value={inRandom}
            set={setInRandom}
          />
        </div>
        <div className="field">
          <label htmlFor="rr-items">{t('insp.rr.items')}</label>
          <textarea
            id="rr-items"
            className="mono"
            rows={6}
            value={items}
            onChange={(e) => setItems(e.target.value)}
            required
          />
        </div>
        {error !== undefined && <ErrorState error={error} />}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('insp.rr.recording') : t('insp.rr.submit')}
        </button>
      </form>
      {result && <StratumOutcome result={result} />}
    </Section>
  );
}
