/**
 * Load generator for the tile bench, in its own process: `tile-load.ts <base url> <full tiles>
 * <seconds> <connections>`. Cycles GET /log/tile/0/<N> over every full tile; prints one JSON line.
 */
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import { formatTileIndex } from '../src/log/index.js';

// autocannon appends every response body to a string (lib/pipelinedRequestsQueue.js `addBody`:
// `req.body += data`), i.e. decodes each 8 KiB binary tile as UTF-8 text, for the benefit of
// expectBody/verifyBody/onResponse, none of which this load uses. Profiled, that decoding was a
// third of the load generator's CPU, and on 2 cores the load generator, not the server, set the
// figure (the server sat idle ~30-55% of the time). Bodies are still read off the socket and
// counted; only the pointless text copy is skipped, and the byte count is checked below.
const require = createRequire(import.meta.url);
const { prototype: queue } = require('autocannon/lib/pipelinedRequestsQueue.js') as {
  prototype: { addBody(data: Buffer): void };
};
queue.addBody = () => {};

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
// Every answer must have carried a whole tile (256 hashes of 32 bytes) besides its headers.
const bytesPerResponse = total > 0 ? result.throughput.total / total : 0;
console.log(
  JSON.stringify({
    rps: total / result.duration,
    total,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + (bytesPerResponse < 256 * 32 ? 1 : 0),
    bytesPerResponse,
  }),
);
