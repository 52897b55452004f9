import { describe, expect, it } from 'vitest';
import { addCaseNote, applyTransition, openCase } from './lifecycle.js';
import { canViewCase, sharedWithFor, viewCaseFor } from './visibility.js';

const arrangements = [
  { id: 'J1', inspectorates: ['IAEA', 'EURATOM'], states: ['XA'] },
  { id: 'J2', inspectorates: ['IAEA', 'ABACC'], states: ['XB'] },
] as const;

const c0 = openCase({
  id: 'C-1',
  kind: 'discrepancy',
  state: 'XA',
  inspectorate: 'IAEA',
  sharedWith: sharedWithFor(arrangements, 'IAEA', 'XA'),
  by: 'system',
  note: 'internal triage',
  at: '2025-05-01T00:00:00Z',
});
const c1 = addCaseNote(c0, {
  actor: { kind: 'inspectorate', inspectorate: 'IAEA', user: 'a' },
  text: 'hunch',
  at: '2025-05-01T01:00:00Z',
});
const c = applyTransition(c1, {
  to: 'question-sent',
  actor: { kind: 'inspectorate', inspectorate: 'IAEA', user: 'a' },
  note: 'Please explain',
  dueDate: '2025-05-20',
  at: '2025-05-02T00:00:00Z',
});

describe('case visibility', () => {
  it('computes partners from joint arrangements', () => {
    expect(sharedWithFor(arrangements, 'IAEA', 'XA')).toEqual(['EURATOM']);
    expect(sharedWithFor(arrangements, 'EURATOM', 'XB')).toEqual([]);
  });
  it('lets the state see its own cases without internal notes', () => {
    const v = viewCaseFor({ kind: 'state', state: 'XA' }, c);
    expect(v?.history.map((e) => e.type)).toEqual(['opened', 'transition']);
    expect(v?.history[0]?.note).toBeUndefined();
    expect(v?.history[1]?.note?.text).toBe('Please explain');
    expect(viewCaseFor({ kind: 'state', state: 'XB' }, c)).toBeUndefined();
  });
  it('lets the owner see everything within its scope', () => {
    expect(viewCaseFor({ kind: 'inspectorate', inspectorate: 'IAEA', states: 'all' }, c)).toBe(c);
    expect(canViewCase({ kind: 'inspectorate', inspectorate: 'IAEA', states: ['XB'] }, c)).toBe(false);
  });
  it('lets a partner under a joint arrangement read the shared part only', () => {
    const v = viewCaseFor({ kind: 'inspectorate', inspectorate: 'EURATOM', states: ['XA'] }, c);
    expect(v?.history.filter((e) => e.note?.internal)).toEqual([]);
    expect(v?.history).toHaveLength(2);
    expect(canViewCase({ kind: 'inspectorate', inspectorate: 'ABACC', states: 'all' }, c)).toBe(false);
  });
});
