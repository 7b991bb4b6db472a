/** NLU cost per message (language + normalization + intent + entities + emotion + sensitive), as a turn pays it. */
import { ManualClock, silentLogger } from '../src/index.js';
import { loadConfig } from '../config/loader.js';
import { createDefaultNlu } from '../src/main.js';
import { LatencyRecorder } from './measure.js';

// Customer-style messages in the launch languages, written for the benchmark.
const SAMPLES = [
  'hi, where is my order A1043?',
  'I want to return the blue shirt from order A1024 because it is too small',
  'can I speak to a real person please',
  'Hola, ¿cuándo llega mi pedido? Ya han pasado dos semanas',
  'quiero cambiar la talla de las zapatillas a la 42',
  'Bonjour, je voudrais annuler ma commande 55123',
  "où en est mon remboursement ? j'ai renvoyé le colis il y a 10 jours",
  'Wo bleibt meine Bestellung? Ich warte seit Montag!!!',
  'Ich möchte meine Lieferadresse ändern, neue Adresse: Hauptstraße 5, 10115 Berlin',
  '注文した商品がまだ届きません。注文番号は A1038 です',
  '返品したいのですが、どうすればいいですか？',
  "Ciao, vorrei sapere quando arriva il mio ordine",
  'ho pagato con PayPal ma mi hanno addebitato due volte 59,90 €',
  'Oi, meu pedido ainda não chegou, pode verificar?',
  'quero trocar o tênis por um número maior',
  '我的订单到哪里了？订单号 A1035',
  '請問可以退貨嗎？衣服太大了',
  'thanks, bye',
  'ok',
  'A1043',
];

export async function measureNluCost(): Promise<{ p50Ms: number; p99Ms: number; messages: number }> {
  const { config } = loadConfig({ env: {} });
  const { engine } = await createDefaultNlu(config, { clock: new ManualClock(), logger: silentLogger(), products: [], timeZone: 'Europe/Berlin' });
  for (const text of SAMPLES) engine.parse(text);
  const recorder = new LatencyRecorder();
  for (let round = 0; round < 200; round++) {
    for (const text of SAMPLES) {
      const started = process.hrtime.bigint();
      engine.parse(text, { locale: 'en' });
      recorder.record(process.hrtime.bigint() - started);
    }
  }
  const summary = recorder.summary();
  return { p50Ms: summary.p50Ms, p99Ms: summary.p99Ms, messages: summary.count };
}
