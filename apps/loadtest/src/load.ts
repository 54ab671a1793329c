import { Agent, request } from 'undici';

/** Latency samples (ms) and answer counts of one load run. */
export class Recorder {
  readonly latencies: number[] = [];
  readonly statuses = new Map<number, number>();
  startedAt = performance.now();
  endedAt = performance.now();

  record(status: number, ms: number): void {
    this.latencies.push(ms);
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  get count(): number {
    return this.latencies.length;
  }

  get serverErrors(): number {
    return [...this.statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
  }

  summary(): LoadSummary {
    const seconds = (this.endedAt - this.startedAt) / 1000;
    return {
      requests: this.count,
      seconds: round(seconds),
      perSecond: round(this.count / seconds),
      p50: round(percentile(this.latencies, 50)),
      p95: round(percentile(this.latencies, 95)),
      p99: round(percentile(this.latencies, 99)),
      statuses: Object.fromEntries([...this.statuses].sort(([a], [b]) => a - b)),
    };
  }
}

export interface LoadSummary {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A keep-alive HTTP client with `connections` sockets to one origin, timing every request. */
export class HttpClient {
  private readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    connections: number,
  ) {
    this.agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  async post(path: string, body: unknown, headers: Record<string, string>, recorder?: Recorder): Promise<Reply> {
    const started = performance.now();
    const response = await request(this.baseUrl + path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
      dispatcher: this.agent,
    });
    const text = await response.body.text();
    recorder?.record(response.statusCode, performance.now() - started);
    return { status: response.statusCode, headers: response.headers, body: text };
  }

  /** A GET whose body is counted, not decoded: status, bytes on the wire, ETag. */
  async raw(path: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; etag?: string }> {
    const response = await request(this.baseUrl + path, { headers, dispatcher: this.agent });
    let bytes = 0;
    for await (const chunk of response.body) bytes += (chunk as Buffer).length;
    return { status: response.statusCode, bytes, etag: response.headers.etag as string | undefined };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * A closed loop: `workers` concurrent loops each run `task` again as soon as it finishes, until
 * `durationMs` has passed (or a task returns false). Like k6's constant-vus executor.
 */
export async function closedLoop(workers: number, durationMs: number, task: (worker: number) => Promise<boolean | void>): Promise<void> {
  const deadline = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        if ((await task(worker)) === false) return;
      }
    }),
  );
}
