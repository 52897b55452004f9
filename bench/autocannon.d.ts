// autocannon ships no types; the few fields the tile bench uses.
declare module 'autocannon' {
  interface Histogram {
    readonly average: number;
    readonly p99: number;
  }
  interface Result {
    readonly requests: Histogram & { readonly total: number };
    readonly latency: Histogram;
    /** Bytes read from the sockets (headers and bodies). */
    readonly throughput: Histogram & { readonly total: number };
    readonly non2xx: number;
    readonly errors: number;
    readonly duration: number;
  }
  interface RawRequest {
    path?: string;
    method?: string;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    requests?: { setupRequest?: (req: RawRequest) => RawRequest }[];
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
