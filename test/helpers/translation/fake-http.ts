/**
 * What the three fake translation servers share: a node:http server on 127.0.0.1:0 that records every
 * request (method, path, headers, raw body) and lets a test script the next answers (an error status, a
 * Retry-After header, a malformed body, a delay past the client's timeout, a dropped connection) before
 * falling back to the server's own protocol handler.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. '/v2/translate'. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body as received. */
  body: string;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
}

export interface FakeResponse {
  status: number;
  /** An object is sent as JSON; a string as it is (content-type from headers, default text/plain). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One scripted answer: replaces the protocol handler for one request. */
export interface ScriptedResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long first; without a status the protocol handler answers after the wait. */
  delayMs?: number;
  /** Close the connection without answering. */
  destroy?: boolean;
}

export interface FakeHttpServer {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  enqueue(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;

export async function startFakeHttpServer(handler: (request: RecordedRequest) => FakeResponse): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const script: ScriptedResponse[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body) as unknown;
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
      requests.push(recorded);
      const scripted = script.shift();

      const answer = (response: FakeResponse): void => {
        if (res.destroyed || res.writableEnded) return;
        const headers: Record<string, string> = { ...response.headers };
        let payload = '';
        if (typeof response.body === 'string') {
          payload = response.body;
          headers['content-type'] ??= 'text/plain; charset=utf-8';
        } else if (response.body !== undefined) {
          payload = JSON.stringify(response.body);
          headers['content-type'] ??= 'application/json';
        }
        res.writeHead(response.status, headers);
        res.end(payload);
      };
      const respond = (): void => {
        if (scripted?.destroy) {
          req.socket.destroy();
          return;
        }
        if (scripted?.status !== undefined) {
          answer({ status: scripted.status, body: scripted.body, ...(scripted.headers ? { headers: scripted.headers } : {}) });
          return;
        }
        if (size > MAX_BODY) {
          answer({ status: 413, body: { message: 'Request Entity Too Large' } });
          return;
        }
        answer(handler(recorded));
      };
      if (scripted?.delayMs !== undefined) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          respond();
        }, scripted.delayMs);
        timers.add(timer);
      } else {
        respond();
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...responses) => {
      script.push(...responses);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Header value as one string. */
export function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
