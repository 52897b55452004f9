import { type FormEvent, useState } from 'react';
import { type Inspection, type ItemResult, inspectionsApi, type StratumResult } from '../../api.js';
import { ErrorState } from '../../components/async.js';
import { Section } from '../../components/Page.js';

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
  const significant = result.itemTests.filter((t) => t.significant);
  return (
    <div role="status" data-testid="stratum-result">
      <p>
        <strong>
          {result.items.length} item{result.items.length === 1 ? '' : 's'} recorded in {result.stratum}
        </strong>
        {result.dStatistic
          ? `; D = ${result.dStatistic.D.toFixed(1)} g (σ ${Math.sqrt(result.dStatistic.variance).toFixed(1)} g)`
          : ''}
        .{' '}
        {significant.length === 0
          ? 'No item differs significantly (3σ).'
          : `Significant differences (3σ): ${significant
              .map((t) => `${t.id} (${t.difference.toFixed(1)} g ± ${t.sigma.toFixed(1)})`)
              .join(', ')}.`}
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
  const mine = (inspection.activities ?? []).filter((a) => a.inspectorate === organisation);
  if (mine.length === 0) {
    return (
      <Section title="Record verification results">
        <p className="muted">
          No activity of this inspection is assigned to {organisation}: assign one first.
        </p>
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
  const [stratum, setStratum] = useState('');
  const [activity, setActivity] = useState(activities[0] ?? '');
  const [mba, setMba] = useState(inspection.mbas[0] ?? '');
  const [population, setPopulation] = useState('');
  const [opRandom, setOpRandom] = useState('0.001');
  const [inRandom, setInRandom] = useState('0.005');
  const [items, setItems] = useState('');
  const [result, setResult] = useState<StratumResult | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
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
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Record verification results">
      <form onSubmit={submit} className="stack" aria-label="Record verification results">
        <div className="form-grid">
          <div className="field">
            <label htmlFor="rr-stratum">Stratum name</label>
            <input
              id="rr-stratum"
              value={stratum}
              onChange={(e) => setStratum(e.target.value)}
              placeholder="pellets"
              required
              pattern="[A-Za-z0-9._\-]{1,64}"
            />
          </div>
          <div className="field">
            <label htmlFor="rr-activity">Activity</label>
            <select id="rr-activity" value={activity} onChange={(e) => setActivity(e.target.value)}>
              {activities.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="rr-mba">MBA</label>
            <select id="rr-mba" value={mba} onChange={(e) => setMba(e.target.value)}>
              <option value="">none</option>
              {inspection.mbas.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <NumberField
            id="rr-population"
            label="Items in the stratum"
            value={population}
            set={setPopulation}
            required
          />
          <NumberField
            id="rr-op"
            label="Operator random error (relative)"
            decimal
            value={opRandom}
            set={setOpRandom}
          />
          <NumberField
            id="rr-in"
            label="Inspector random error (relative)"
            decimal
            value={inRandom}
            set={setInRandom}
          />
        </div>
        <div className="field">
          <label htmlFor="rr-items">Items: one per line, itemId,declared,measured (grams)</label>
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
          {busy ? 'Recording…' : 'Record the results'}
        </button>
      </form>
      {result && <StratumOutcome result={result} />}
    </Section>
  );
}
