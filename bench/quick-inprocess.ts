import { runBotbuilderBaseline } from './botbuilder-baseline.js';
import { runMeridianInProcess } from './meridian-inprocess.js';

const conversations = Number(process.argv[2] ?? 3000);
const m = await runMeridianInProcess({ conversations, memoryConversations: 2000 });
const b = await runBotbuilderBaseline({ conversations, memoryConversations: 2000 });
console.log(JSON.stringify({ meridian: m, botbuilder: b, ratio: m.turnsPerSec / b.turnsPerSec }, null, 1));
