import { startMeridian, type RunningMeridian, type StartOptions } from '../../src/main.js';

/** A real Meridian HTTP server on 127.0.0.1 with a random port; memory store unless told otherwise. */
export function startTestServer(options: StartOptions = {}): Promise<RunningMeridian> {
  return startMeridian({ port: 0, host: '127.0.0.1', storage: 'memory', logLevel: 'silent', env: {}, ...options });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
