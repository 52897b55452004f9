/**
 * Where each facility's label goes on the map so that no two labels, and no label and marker,
 * cover each other (issue 16 item 10: facilities a few kilometres apart). Greedy: each label takes
 * the first free place among right, left, above and below its marker, then the same sides further
 * out; with a leader line when it moved away from the marker. Pure, so it is tested without a map.
 */
export interface MapPoint {
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

export interface PlacedLabel {
  /** Anchor of the text (SVG `x`, `y`, `text-anchor`). */
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'end' | 'middle';
  /** The box the label takes, to test overlaps. */
  readonly box: Box;
  /** Set when the label sits away from its marker: draw a line from the marker to here. */
  readonly leader?: { readonly x: number; readonly y: number };
}

export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Label font metrics of .map-label (bold 13 px): a generous width per character. */
const CHAR_W = 8.2;
const TEXT_H = 14;
const MARKER_R = 7;
const GAP = 3;

export function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

function candidates(p: MapPoint, w: number): PlacedLabel[] {
  const out: PlacedLabel[] = [];
  const r = MARKER_R + GAP;
  for (let ring = 0; ring < 6; ring++) {
    const d = ring * (TEXT_H + 2);
    const leader = ring === 0 ? undefined : { x: p.x, y: p.y };
    const right = { x: p.x + r, y: p.y + 4 + d };
    const rightUp = { x: p.x + r, y: p.y + 4 - d };
    const left = { x: p.x - r, y: p.y + 4 + d };
    const leftUp = { x: p.x - r, y: p.y + 4 - d };
    const spots: [number, number, 'start' | 'end' | 'middle'][] = [
      [right.x, right.y, 'start'],
      [rightUp.x, rightUp.y, 'start'],
      [left.x, left.y, 'end'],
      [leftUp.x, leftUp.y, 'end'],
      [p.x, p.y - r - d, 'middle'],
      [p.x, p.y + r + TEXT_H + d, 'middle'],
    ];
    for (const [x, y, anchor] of spots) {
      const x0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
      const box = { x0, y0: y - TEXT_H + 3, x1: x0 + w, y1: y + 3 };
      out.push(
        leader === undefined
          ? { x, y, anchor, box }
          : { x, y, anchor, box, leader: { x: x0 < p.x ? box.x1 : box.x0, y: y - 4 } },
      );
    }
  }
  return out;
}

export function placeLabels(points: readonly MapPoint[]): PlacedLabel[] {
  const markers: Box[] = points.map((p) => ({
    x0: p.x - MARKER_R,
    y0: p.y - MARKER_R,
    x1: p.x + MARKER_R,
    y1: p.y + MARKER_R,
  }));
  const placed: PlacedLabel[] = [];
  for (const p of points) {
    const w = p.text.length * CHAR_W + 4;
    const options = candidates(p, w);
    const free = options.find(
      (c) => !placed.some((q) => overlaps(c.box, q.box)) && !markers.some((m) => overlaps(c.box, m)),
    );
    placed.push(free ?? options[0]!);
  }
  return placed;
}
