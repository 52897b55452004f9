import type { Case, CaseEvent } from './cases.types.js';

/** Two inspectorates working jointly for some states (domain.md §7: partnership approach). */
export interface JointArrangement {
  readonly id: string;
  readonly inspectorates: readonly [string, string];
  readonly states: readonly string[];
}

export type CaseViewer =
  | { readonly kind: 'state'; readonly state: string }
  /** `states`: the states the inspectorate safeguards (its scope), or 'all'. */
  | {
      readonly kind: 'inspectorate';
      readonly inspectorate: string;
      readonly states: readonly string[] | 'all';
    };

/** The partner inspectorates a new case by `inspectorate` about `state` is shared with. */
export function sharedWithFor(
  arrangements: readonly JointArrangement[],
  inspectorate: string,
  state: string,
): string[] {
  const partners = new Set<string>();
  for (const a of arrangements) {
    if (!a.states.includes(state) || !a.inspectorates.includes(inspectorate)) continue;
    for (const i of a.inspectorates) if (i !== inspectorate) partners.add(i);
  }
  return [...partners].sort();
}

function inScope(states: readonly string[] | 'all', state: string): boolean {
  return states === 'all' || states.includes(state);
}

/**
 * The state sees every case about it; the owning inspectorate sees its cases about states in its
 * scope; a partner inspectorate sees cases shared with it under a joint arrangement.
 */
export function canViewCase(viewer: CaseViewer, c: Case): boolean {
  if (viewer.kind === 'state') return viewer.state === c.state;
  if (viewer.inspectorate === c.inspectorate) return inScope(viewer.states, c.state);
  return c.sharedWith.includes(viewer.inspectorate);
}

/** Only the owning inspectorate reads internal notes (each inspectorate concludes on its own). */
export function canReadInternalNotes(viewer: CaseViewer, c: Case): boolean {
  return viewer.kind === 'inspectorate' && viewer.inspectorate === c.inspectorate;
}

/**
 * The case as `viewer` may see it, or undefined when it may not see it at all. Internal notes
 * are removed; a note-only event whose note is internal is removed whole, while a transition
 * stays (the state sees that the case moved, not the inspectorate's reasoning).
 */
export function viewCaseFor(viewer: CaseViewer, c: Case): Case | undefined {
  if (!canViewCase(viewer, c)) return undefined;
  if (canReadInternalNotes(viewer, c)) return c;
  const history: CaseEvent[] = [];
  for (const e of c.history) {
    if (!e.note?.internal) {
      history.push(e);
    } else if (e.type !== 'note') {
      const { note: _hidden, ...visible } = e;
      history.push(visible);
    }
  }
  return { ...c, history };
}
