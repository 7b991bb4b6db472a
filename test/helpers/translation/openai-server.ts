/**
 * A fake OpenAI-compatible chat endpoint on 127.0.0.1 (the subset OpenAI, Ollama's /v1 and vLLM share),
 * with a deterministic "model" instead of an LLM. It implements:
 *
 * - POST /v1/chat/completions, JSON only; other paths answer 404 with OpenAI's error envelope
 *   `{ error: { message, type, param, code } }`, which every error here uses.
 * - Auth when `apiKey` is set: `Authorization: Bearer <key>`; missing: 401 ("You didn't provide an API
 *   key..."); wrong: 401 code invalid_api_key with the key masked the way OpenAI echoes it
 *   ("Incorrect API key provided: sk-te***5678"), so tests can prove a client never repeats it.
 * - Validation, 400 invalid_request_error: a JSON object body; `model` a string (unknown models: 404
 *   model_not_found, as OpenAI; Ollama also answers 404); `messages` a non-empty array of
 *   { role: system|developer|user|assistant|tool, content: string | parts }; `temperature` 0..2;
 *   `stream: true` is refused (the fake does not stream).
 * - The model: reads "Target language: <name> (<code>)" from the system message and translates the JSON
 *   array of strings in the last user message that holds one, word by word, answering
 *   `{ id, object: 'chat.completion', created, model, choices: [{ index: 0, message: { role: 'assistant',
 *   content }, finish_reason: 'stop' }], usage }` with the JSON array as content. Without such an array it
 *   answers an apology in prose, like a confused model.
 * - `enqueueReply(fn)` makes the next completion's content `fn(translations)`: code fences, prose, a
 *   wrong length, a lost placeholder. `enqueue` scripts raw HTTP answers (429 with Retry-After, 500...).
 *
 * Not implemented: streaming, tools, response_format, n > 1, logprobs, /v1/models, /v1/completions.
 */
import { fakeDetect, fakeLanguage, fakeTranslate } from './fake-dictionary.js';
import { header, isObject, startFakeHttpServer, type FakeHttpServer, type FakeResponse, type RecordedRequest } from './fake-http.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

export interface FakeOpenAIOptions {
  /** Require this bearer key (default: no auth, like a local Ollama). */
  apiKey?: string;
  /** Known models (default ['test-model']). */
  models?: string[];
}

export interface FakeOpenAIServer extends FakeHttpServer {
  /** Base URL to give the client: http://127.0.0.1:<port>/v1 */
  readonly url: string;
  /** The next completion's content comes from `reply(translations)`. */
  enqueueReply(reply: (translations: string[]) => string): void;
  /** Completions answered (not counting HTTP errors). */
  readonly completions: number;
}

function openaiError(status: number, message: string, type: string, code: string | null = null, param: string | null = null): FakeResponse {
  return { status, body: { error: { message, type, param, code } } };
}

function maskKey(key: string): string {
  return key.length <= 8 ? '***' : `${key.slice(0, 5)}***${key.slice(-4)}`;
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAIServer> {
  const models = options.models ?? ['test-model'];
  const replies: Array<(translations: string[]) => string> = [];
  let completions = 0;

  const handle = (request: RecordedRequest): FakeResponse => {
    const path = request.path.split('?')[0];
    if (path !== '/v1/chat/completions' || request.method !== 'POST') {
      return openaiError(404, `Invalid URL (${request.method} ${path ?? ''})`, 'invalid_request_error');
    }
    if (options.apiKey !== undefined) {
      const auth = header(request, 'authorization');
      if (auth === undefined || !auth.startsWith('Bearer ')) {
        return openaiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.", 'invalid_request_error');
      }
      const given = auth.slice('Bearer '.length);
      if (given !== options.apiKey) {
        return openaiError(401, `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
      }
    }
    const body = request.json;
    if (!isObject(body)) return openaiError(400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    const model = body['model'];
    if (typeof model !== 'string' || model === '') return openaiError(400, 'you must provide a model parameter', 'invalid_request_error', null, 'model');
    if (!models.includes(model)) {
      return openaiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    }
    const messages = body['messages'];
    if (!Array.isArray(messages) || messages.length === 0) return openaiError(400, "Invalid 'messages': empty array.", 'invalid_request_error', 'empty_array', 'messages');
    for (const [index, message] of messages.entries()) {
      if (!isObject(message) || typeof message['role'] !== 'string' || !ROLES.has(message['role'])) {
        return openaiError(400, `Invalid value for 'messages[${index}].role'.`, 'invalid_request_error', 'invalid_value', `messages[${index}].role`);
      }
      if (typeof message['content'] !== 'string' && !Array.isArray(message['content'])) {
        return openaiError(400, `Invalid type for 'messages[${index}].content'.`, 'invalid_request_error', 'invalid_type', `messages[${index}].content`);
      }
    }
    const temperature = body['temperature'];
    if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
      return openaiError(400, `Invalid 'temperature': must be between 0 and 2.`, 'invalid_request_error', 'invalid_value', 'temperature');
    }
    if (body['stream'] === true) return openaiError(400, 'This fake does not stream.', 'invalid_request_error', null, 'stream');

    const typed = messages as Array<{ role: string; content: unknown }>;
    const system = typed.find((message) => message.role === 'system' || message.role === 'developer');
    const targetCode = typeof system?.content === 'string' ? /Target language: [^\n]*\(([A-Za-z-]+)\)/.exec(system.content)?.[1] : undefined;
    const to = targetCode ? fakeLanguage(targetCode) : undefined;
    let input: string[] | undefined;
    for (const message of [...typed].reverse()) {
      if (message.role !== 'user' || typeof message.content !== 'string') continue;
      try {
        const parsed: unknown = JSON.parse(message.content);
        if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) {
          input = parsed as string[];
          break;
        }
      } catch {
        // not the array
      }
    }
    let content: string;
    const translations = input && to ? input.map((text) => fakeTranslate(text, fakeDetect(text), to)) : undefined;
    const reply = replies.shift();
    if (reply) content = reply(translations ?? []);
    else if (translations) content = JSON.stringify(translations);
    else content = "I'm sorry, I can't help with that. Could you tell me which text to translate and into which language?";
    completions++;
    const promptChars = typed.reduce((sum, message) => sum + (typeof message.content === 'string' ? message.content.length : 0), 0);
    const promptTokens = Math.ceil(promptChars / 4);
    const completionTokens = Math.ceil(content.length / 4);
    return {
      status: 200,
      body: {
        id: `chatcmpl-fake${completions}`,
        object: 'chat.completion',
        created: 1_767_225_600,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      },
    };
  };

  const server = await startFakeHttpServer(handle);
  return {
    origin: server.origin,
    requests: server.requests,
    enqueue: server.enqueue,
    close: server.close,
    url: `${server.origin}/v1`,
    enqueueReply: (reply) => {
      replies.push(reply);
    },
    get completions() {
      return completions;
    },
  };
}
