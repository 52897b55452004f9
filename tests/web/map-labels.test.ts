import { describe, expect, it } from 'vitest';
import { overlaps, placeLabels } from '../../web/src/components/map-labels.js';

/** Issue 16 item 10: map labels of nearby facilities no longer cover each other. */
describe('map labels', () => {
  it('places the labels of three facilities a few pixels apart without overlap', () => {
    // The demo's Arcadia: a reactor, a store and a fabrication plant within 30 px at 1 400 px.
    const points = [
      { x: 466, y: 538, text: 'XA-NPP' },
      { x: 481, y: 547, text: 'XA-STO' },
      { x: 452, y: 549, text: 'XA-FAB' },
      { x: 541, y: 444, text: 'XB-FAB' },
      { x: 551, y: 456, text: 'XB-ENR' },
    ];
    const placed = placeLabels(points);
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++)
        expect(overlaps(placed[i]!.box, placed[j]!.box)).toBe(false);
      for (const p of points) {
        const marker = { x0: p.x - 7, y0: p.y - 7, x1: p.x + 7, y1: p.y + 7 };
        expect(overlaps(placed[i]!.box, marker)).toBe(false);
      }
    }
    // A lone facility keeps its label right of its marker.
    expect(placeLabels([{ x: 100, y: 100, text: 'XC-RR' }])[0]).toMatchObject({ anchor: 'start', x: 110 });
  });
});
