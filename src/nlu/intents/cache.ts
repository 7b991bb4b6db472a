/**
 * A file cache for trained intent models, so a restart with unchanged training data loads weights
 * instead of training again. A file is keyed by a hash of everything the model depends on: the
 * language's intents.json and lexicon.json, the model options and the source of the normalizer and
 * the model code. Saving a language's model removes its older files; other files are left alone. Writes go to a temporary file first,
 * so a crash never leaves a half-written model behind; a broken file is treated as a miss.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IntentModel, IntentModelOptions } from './model.js';

const MAGIC = 'MIC1';

/** The source text of the modules a trained model depends on (compiled .js, or .ts under ts-jest). */
function codeFingerprint(): string {
  const hash = createHash('sha256');
  for (const relative of ['../normalize', './features', './model', './softmax']) {
    for (const ext of ['.js', '.ts']) {
      const file = fileURLToPath(new URL(relative + ext, import.meta.url));
      if (existsSync(file)) {
        hash.update(readFileSync(file));
        break;
      }
    }
  }
  return hash.digest('hex');
}

let fingerprint: string | undefined;

export function modelKey(lang: string, localesDir: string, options: IntentModelOptions): string {
  fingerprint ??= codeFingerprint();
  const hash = createHash('sha256').update(MAGIC).update(fingerprint).update(lang).update(JSON.stringify(options));
  for (const name of ['intents.json', 'lexicon.json']) {
    const file = join(localesDir, lang, 'nlu', name);
    hash.update(name).update(existsSync(file) ? readFileSync(file) : '');
  }
  return hash.digest('hex').slice(0, 24);
}

function fileFor(cacheDir: string, lang: string, key: string): string {
  return join(cacheDir, `intents-${lang}-${key}.bin`);
}

interface Header {
  lang: string;
  chars: string[];
  words: string[];
  features: number;
  classes: number;
}

export function saveModel(cacheDir: string, key: string, model: IntentModel): void {
  const header: Header = {
    lang: model.lang,
    chars: [...model.charIndex.keys()],
    words: [...model.wordIndex.keys()],
    features: model.softmax.features,
    classes: model.softmax.classes,
  };
  // Indices are assigned in insertion order: chars 0..c-1, then words c..f-1.
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((8 + json.length) % 4)) % 4;
  const prefix = Buffer.alloc(8);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(json.length, 4);
  const floats = [model.idf, model.softmax.weights, model.softmax.bias].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  mkdirSync(cacheDir, { recursive: true });
  const file = fileFor(cacheDir, model.lang, key);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([prefix, json, Buffer.alloc(pad), ...floats]));
  renameSync(tmp, file);
  // Older models of this language are stale now.
  for (const name of readdirSync(cacheDir)) {
    if (name.startsWith(`intents-${model.lang}-`) && name.endsWith('.bin') && join(cacheDir, name) !== file) rmSync(join(cacheDir, name), { force: true });
  }
}

/** The cached model, or undefined when there is none or it cannot be read. */
export function loadModel(cacheDir: string, key: string, lang: string, options: IntentModelOptions, stopwords: ReadonlySet<string>): IntentModel | undefined {
  const file = fileFor(cacheDir, lang, key);
  if (!existsSync(file)) return undefined;
  try {
    const buf = readFileSync(file);
    if (buf.toString('ascii', 0, 4) !== MAGIC) return undefined;
    const length = buf.readUInt32LE(4);
    const header = JSON.parse(buf.toString('utf8', 8, 8 + length)) as Header;
    let offset = 8 + length + ((4 - ((8 + length) % 4)) % 4);
    const take = (count: number): Float32Array => {
      const bytes = buf.subarray(offset, offset + count * 4);
      if (bytes.length !== count * 4) throw new Error('truncated');
      offset += count * 4;
      // Copy into an aligned array of its own.
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    };
    const { features, classes } = header;
    if (header.lang !== lang || header.chars.length + header.words.length !== features) return undefined;
    const idf = take(features);
    const weights = take(features * classes);
    const bias = take(classes);
    if (offset !== buf.length) return undefined;
    const charIndex = new Map(header.chars.map((k, i) => [k, i]));
    const wordIndex = new Map(header.words.map((k, i) => [k, header.chars.length + i]));
    return { lang, options, stopwords, charIndex, wordIndex, idf, softmax: { features, classes, weights, bias } };
  } catch {
    return undefined;
  }
}
