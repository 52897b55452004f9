/**
 * Load generator for the tile bench, in its own process: `tile-load.ts <base url> <full tiles>
 * <seconds> <connections>`. Cycles GET /log/tile/0/<N> over every full tile; prints one JSON line.
 */
import autocannon from 'autocannon';
import { formatTileIndex } from '../src/log/index.js';

const [base, tilesArg, secondsArg, connectionsArg] = process.argv.slice(2);
const tiles = Number(tilesArg);
const paths = Array.from({ length: tiles }, (_, n) => `/log/tile/0/${formatTileIndex(n)}`);
let next = 0;
const result = await autocannon({
  url: base as string,
  connections: Number(connectionsArg),
  duration: Number(secondsArg),
  requests: [
    {
      setupRequest: (req) => {
        const path = paths[next++ % paths.length] as string;
        return { ...req, path };
      },
    },
  ],
});
const total = result.requests.total;
console.log(
  JSON.stringify({
    rps: total / result.duration,
    total,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }),
);
