// The part of autocannon 9 (a development dependency without types of its own) the benchmark
// uses, as its lib/run.js and lib/httpClient.js define it.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";
  type Request = { method?: string; path: string; headers?: Record<string, string> };
  type Client = EventEmitter & {
    /** Replaces this connection's request list (it then goes round it from the first). */
    setRequests(requests: Request[]): void;
    /** The request being answered while 'response' is emitted (pipelining 1). */
    requestIterator: { currentRequest: Request };
    /** Sends the next request (autocannon's own, not documented: the benchmark defers it to
     *  give each user a pause between pages). */
    _doRequest(): void;
    destroyed: boolean;
  };
  type Options = {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    /** Requests a second per connection (an integer: 0 means unlimited). */
    connectionRate?: number;
    timeout?: number;
    requests?: Request[];
    setupClient?: (client: Client) => void;
  };
  type Result = {
    errors: number;
    timeouts: number;
    non2xx: number;
    requests: { total: number; average: number };
    duration: number;
    latency: Record<string, number>;
    statusCodeStats: Record<string, { count: number }>;
  };
  type Instance = EventEmitter & PromiseLike<Result>;
  function autocannon(options: Options): Instance;
  export default autocannon;
}
