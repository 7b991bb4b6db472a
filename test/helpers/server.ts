import { startMeridian, type RunningMeridian, type StartOptions } from '../../src/main.js';

/** The admin token test servers get unless a test sets its own environment. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ADMIN = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** A real Meridian HTTP server on 127.0.0.1 with a random port; memory store unless told otherwise. */
export function startTestServer(options: StartOptions = {}): Promise<RunningMeridian> {
  return startMeridian({ port: 0, host: '127.0.0.1', storage: 'memory', logLevel: 'silent', env: { MERIDIAN_ADMIN_TOKEN: TEST_ADMIN_TOKEN }, ...options });
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
