/**
 * Regional variants a reply can follow: Traditional or Simplified Chinese, Brazilian or European
 * Portuguese, Mexican or Peninsular Spanish, Canadian French. The cues are written for this project
 * (everyday vocabulary, spelling and grammar that differ between the regions); a message without a
 * cue keeps the base language.
 */

/** Simplified forms whose Traditional form differs (common in shopping and support messages). */
const SIMPLIFIED =
  '这们说时会对来个货单订还点么请谢为发后过动问题号码买卖钱间实现经开关见长东车门书页网电话邮运达递换账户务员价质际产业场报认识让给应该态样够没难边远进选择准备优费国学体区万与写无处两' +
  '气变图归圆济续检览译转铁读营扩吗联络汇银颜坏损赔偿确帮谁里听历尔师饭闭贵岁节热语诉较办额亲爱视频软约纸荐购标录统计划级错误辆则戏极决压护鲜';
/** Traditional forms whose Simplified form differs. */
const TRADITIONAL =
  '這們說時會對來個貨單訂還點麼請謝為發後過動問題號碼買賣錢間實現經開關見長東車門書頁網電話郵運達遞換帳賬戶務員價質際產業場報認識讓給應該態樣夠沒難邊遠進選擇準備優費國學體區萬與寫無處兩氣變圖歸圓濟續檢覽譯轉鐵讀營擴嗎聯絡匯銀顏壞損賠償確幫誰裡裏聽歷爾師飯閉貴歲節熱語訴較辦' +
  '額親愛視頻軟約紙薦購標錄統計劃級錯誤輛則戲極決壓護鮮';
/**
 * Japanese shinjitai and kokuji that are neither the Simplified nor the Traditional form, so a message
 * written in kanji only ("注文確認済") can still be told from Chinese.
 */
const JAPANESE_ONLY =
  '気駅円済発売続関図対変帰県価検様営覧訳転鉄読労拡込働畑峠枠匂説歳戦払広楽薬単実択辺駆継軽経験険権剤雑歯児収従縦処焼乗浄譲粋専銭総騒増蔵臓帯沢団遅昼庁徴聴鎮伝闘悩脳廃髪抜浜仏豊満黙揺頼両緑塁録桜応仮絵覚勧巻歓観戯拠恵掲鶏撃剣圏厳効鉱砕斎賛釈獣粛奨証剰畳醸酔髄斉摂繊荘捜挿巣滝弾鋳逓稲弐覇舗謡竜猟涙霊齢暦亜悪圧囲壱隠栄塩渋糸毎歩';
/**
 * Characters that only Chinese writes: function words and pronouns modern Japanese does not use, plus the
 * Simplified and Traditional forms above that Japanese writes differently.
 */
const CHINESE_FUNCTION = '的了吗嗎呢吧你您她们們这這么麼没沒很啊呀嘛哦喔啦咱谁哪怎';

const simplifiedSet = new Set(SIMPLIFIED);
const traditionalSet = new Set(TRADITIONAL);
const japaneseOnlySet = new Set(JAPANESE_ONLY);
// Chinese forms Japanese also writes (時, 間, 請, 会, 国...) are no evidence against Japanese.
const SHARED_WITH_JAPANESE = new Set(
  '時個請問題買間見長東車門書電話開運達動場報認識進選備優費務員業質際態難遠換貨訂謝現郵頁網魚鳥後過碼為給該準無絡銀損賠償確誰裏爾師飯閉貴節熱語訴較額親愛視頻軟約紙薦購標統計劃級錯誤則極決護鮮帳還' +
    // Simplified forms that are also Japanese shinjitai.
    '会来点号国学体区万与写里没划',
);
const chineseOnlySet = new Set([...CHINESE_FUNCTION, ...SIMPLIFIED, ...TRADITIONAL].filter((c) => !SHARED_WITH_JAPANESE.has(c)));

export interface HanEvidence {
  simplified: number;
  traditional: number;
  /** Characters Japanese never writes. */
  chineseOnly: number;
  /** Characters only Japanese writes. */
  japaneseOnly: number;
}

/** Counts the characters that tell Chinese from Japanese and Simplified from Traditional. */
export function hanEvidence(text: string): HanEvidence {
  const evidence: HanEvidence = { simplified: 0, traditional: 0, chineseOnly: 0, japaneseOnly: 0 };
  for (const char of text) {
    if (simplifiedSet.has(char)) evidence.simplified++;
    if (traditionalSet.has(char)) evidence.traditional++;
    if (chineseOnlySet.has(char)) evidence.chineseOnly++;
    if (japaneseOnlySet.has(char)) evidence.japaneseOnly++;
  }
  return evidence;
}

interface RegionCues {
  locale: string;
  /** Whole words (lower case) with their weight. */
  words: Readonly<Record<string, number>>;
  /** Word sequences, matched on the space-joined lower-case words. */
  phrases?: Readonly<Record<string, number>>;
  /** Grammar, matched on the lower-case text; each pattern counts once. */
  patterns?: readonly { pattern: RegExp; weight: number }[];
  /** Currency signs and other symbols, matched as substrings. */
  symbols?: Readonly<Record<string, number>>;
}

// A letter boundary that also works for accented letters (\b is ASCII-only).
const B = '(?<![\\p{L}\\p{M}])';
const E = '(?![\\p{L}\\p{M}])';
const re = (source: string) => new RegExp(`${B}${source}${E}`, 'u');

const PT_BR: RegionCues = {
  locale: 'pt-BR',
  words: {
    ônibus: 1, celular: 1, celulares: 1, trem: 1, trens: 1, usuário: 1, usuária: 1, usuários: 1, arquivo: 0.5, tela: 0.5,
    geladeira: 1, banheiro: 1, sorvete: 1, suco: 1, cardápio: 1, caminhão: 1, xícara: 1, moletom: 1, camiseta: 1, equipe: 0.5,
    registro: 0.75, contato: 0.75, contatos: 0.75, econômico: 1, econômica: 1, telefônico: 1, tênis: 1, gênero: 1,
    cadê: 1, né: 0.75, pra: 0.5, tá: 0.5, tô: 0.75, vc: 1, vcs: 1, você: 0.5, vocês: 0.5, bacana: 1, grana: 0.75, moça: 0.5,
    oi: 0.5, pix: 1, boleto: 1, cpf: 1, cep: 1, correios: 0.75, sedex: 1, reais: 1, baixar: 0.5, frete: 1, pro: 0.5, valeu: 1,
    beleza: 0.5, prêmio: 1, bebê: 1, quilômetro: 1, quilômetros: 1, acadêmico: 1, fenômeno: 1, eletrônico: 1, eletrônicos: 1,
    eletrônica: 1, anônimo: 1, cômodo: 1, antônio: 1, vitrine: 0.75, entregador: 0.5, motoboy: 1, icms: 1,
  },
  phrases: { 'a gente': 0.5, 'café da manhã': 1, 'nota fiscal': 1, 'tá bom': 0.5, 'mercado livre': 1 },
  // Progressive with the gerund ("estou esperando"), where Portugal says "estou a esperar".
  patterns: [
    { pattern: re('(?:estou|está|esta|estás|estamos|estão|estava|estavam|tô|tá|fico|ficou|continua|continuo)\\s+\\p{L}+ndo'), weight: 1.5 },
    // A sentence opening with the pronoun ("Me ajuda", "Me manda"), which European Portuguese does not allow.
    { pattern: new RegExp(`(?:^|[.!?]\\s*)(?:me|te|lhe)\\s+\\p{L}{3,}${E}`, 'u'), weight: 1 },
  ],
  symbols: { 'r$': 1 },
};

const PT_PT: RegionCues = {
  locale: 'pt-PT',
  words: {
    autocarro: 1, telemóvel: 1, telemóveis: 1, comboio: 1, ecrã: 1, utilizador: 1, utilizadores: 1, ficheiro: 1, frigorífico: 1,
    sumo: 1, ementa: 1, camião: 1, chávena: 1, camisola: 0.75, relva: 0.5, equipa: 1, registo: 1, contacto: 1, contactos: 1,
    facto: 1, económico: 1, económica: 1, telefónico: 1, ténis: 1, género: 1, fixe: 1, miúdo: 1, miúda: 1, rapariga: 1,
    portagem: 1, talão: 1, multibanco: 1, nif: 1, ctt: 1, bué: 1, euros: 0.5, morada: 1, portes: 1, estafeta: 1, montra: 1,
    prémio: 1, bebé: 1, quilómetro: 1, quilómetros: 1, académico: 1, fenómeno: 1, eletrónico: 1, eletrónicos: 1, eletrónica: 1,
    electrónico: 1, anónimo: 1, cómodo: 1, antónio: 1, contribuinte: 0.75, iva: 0.5, tlm: 1, cá: 0.5, sítio: 0.5, imenso: 0.5,
    encomenda: 0.5, encomendas: 0.5,
    // Second person singular with "tu", the everyday form in Portugal; Brazil mostly writes "você".
    podes: 0.75, tens: 0.75, queres: 0.75, sabes: 0.5, consegues: 0.75, precisas: 0.75, deves: 0.5, vais: 0.5, estás: 0.5,
  },
  phrases: { 'casa de banho': 1, 'pequeno almoço': 1, 'mb way': 1, 'se faz favor': 1, 'já agora': 1, 'está bem': 0.25 },
  patterns: [
    { pattern: re('(?:estou|está|estás|estamos|estão|estava|estavam|ando|andas|anda|andam|continua|continuo)\\s+a\\s+\\p{L}+(?:ar|er|ir)'), weight: 1.5 },
    // Pronoun after the verb ("envie-me", "diga-me"): Brazil mostly puts it before ("me envie").
    { pattern: re('\\p{L}{2,}-(?:me|te|lhe|lhes|nos|vos)'), weight: 0.75 },
    // The article before a possessive ("a minha encomenda"), usual in Portugal and often dropped in Brazil.
    { pattern: re('(?:o|a|os|as)\\s+(?:meu|minha|meus|minhas)'), weight: 0.5 },
  ],
  symbols: { '€': 0.5 },
};

const ES_MX: RegionCues = {
  locale: 'es-MX',
  words: {
    ahorita: 1, órale: 1, orale: 1, ándale: 1, andale: 1, chido: 1, chida: 1, padrísimo: 1, güey: 1, wey: 1, cuate: 1, neta: 0.75,
    chamba: 1, platicar: 1, platiqué: 1, platicamos: 1, checar: 1, checo: 0.25, rentar: 0.75, popote: 1, lentes: 0.5,
    celular: 0.75, computadora: 0.75, carro: 0.5, jugo: 0.5, oxxo: 1, estafeta: 1, curp: 1, rfc: 1, cdmx: 1, pesos: 0.5,
    chingón: 1, mande: 0.25, mándeme: 0.5, paquetería: 1, orita: 1, chavo: 0.75, chamaco: 1, güero: 1, depa: 1, recámara: 1,
    alberca: 1, banqueta: 1, regresar: 0.5, regresarlo: 0.5, regresarla: 0.5, spei: 1, colonia: 0.25, manejar: 0.25, agarrar: 0.25,
  },
  phrases: {
    'qué onda': 1, 'que onda': 1, 'no manches': 1, 'a poco': 0.5, 'mercado libre': 0.5, 'luego luego': 1, 'meses sin intereses': 1,
    'qué padre': 1, 'que padre': 1, 'te encargo': 0.5, 'está cañón': 1,
  },
  symbols: { 'mx$': 1, mxn: 1 },
};

const ES_ES: RegionCues = {
  locale: 'es-ES',
  words: {
    vosotros: 1, vosotras: 1, vuestro: 1, vuestra: 1, vuestros: 1, vuestras: 1, os: 1, sois: 1, móvil: 1, ordenador: 1,
    coche: 0.75, zumo: 1, gafas: 0.5, guay: 1, mola: 0.5, hostia: 0.5, seur: 1, mrw: 1, bizum: 1, nif: 1, dni: 0.5, euros: 0.5,
    nie: 1, portátil: 0.5, piso: 0.25, currar: 1, curro: 0.75, flipar: 1, flipando: 1, majo: 1, maja: 0.5, coger: 0.5,
    conducir: 0.25, tío: 0.25,
  },
  // "vale" as "OK" (not "vale la pena" or "cuánto vale").
  phrases: { vale: 0.75, 'vale gracias': 0.5, 'en plan': 0.5 },
  patterns: [
    // Second person plural verbs (tenéis, podéis, enviasteis) exist only where "vosotros" is spoken.
    { pattern: re('\\p{L}+(?:áis|éis|asteis|isteis)'), weight: 1 },
  ],
  symbols: { '€': 0.5 },
};

const FR_CA: RegionCues = {
  locale: 'fr-CA',
  words: {
    courriel: 1, courriels: 1, magasiner: 1, magasiné: 1, magasine: 0.75, magasinez: 1, magasinage: 1, char: 0.5, présentement: 1, pis: 0.5, tabarnak: 1, tabarnouche: 1,
    câlisse: 1, calisse: 1, crisse: 0.75, ostie: 0.75, osti: 0.75, chum: 1, dépanneur: 1, cellulaire: 1, icitte: 1, pantoute: 1,
    niaiseux: 1, faque: 1, toé: 1, moé: 1, piasse: 1, piastre: 1, piastres: 1, interac: 1, tvq: 1, purolator: 1, allô: 0.5, souper: 0.5,
    checker: 1, canceller: 1, tanné: 1, tannée: 1, capoter: 0.75, niaiser: 1, astheure: 1, quétaine: 1, bébelle: 1, achaler: 1,
    gosser: 1, câline: 0.75, maudit: 0.5, tantôt: 0.5, pogner: 1, placoter: 1, jaser: 0.75, frette: 1, mettons: 0.75, québec: 0.5,
    montréal: 0.5, bienvenue: 0.25,
  },
  phrases: {
    'fin de semaine': 0.75, 'postes canada': 1, 'ben là': 0.75, 'à matin': 1, 'bon matin': 1, "c'est plate": 1,
    "c'est correct": 0.5, 'tant pis': -0.5,
  },
  symbols: { 'loi 25': 1 },
};

const CUES: Readonly<Record<string, readonly RegionCues[]>> = {
  pt: [PT_BR, PT_PT],
  es: [ES_MX, ES_ES],
  fr: [FR_CA],
};

const WORDS = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;

function score(cues: RegionCues, lower: string, words: readonly string[], padded: string): number {
  let total = 0;
  for (const word of words) total += cues.words[word] ?? 0;
  for (const [phrase, weight] of Object.entries(cues.phrases ?? {})) if (padded.includes(` ${phrase} `)) total += weight;
  for (const { pattern, weight } of cues.patterns ?? []) if (pattern.test(lower)) total += weight;
  for (const [symbol, weight] of Object.entries(cues.symbols ?? {})) if (lower.includes(symbol)) total += weight;
  return total;
}

/**
 * The reply locale a message shows for its (already detected) base language: 'zh-Hant', 'pt-BR',
 * 'es-MX', 'fr-CA'... or the language itself when nothing in the text tells.
 */
export function regionalVariant(language: string, text: string): string {
  if (language === 'zh') {
    const { simplified, traditional } = hanEvidence(text);
    if (traditional > simplified) return 'zh-Hant';
    if (simplified > traditional) return 'zh-Hans';
    return 'zh';
  }
  const candidates = CUES[language];
  if (!candidates) return language;
  const lower = text.slice(0, 2000).toLowerCase().normalize('NFC');
  const words = lower.match(WORDS) ?? [];
  // "vale" only counts as "OK" when it stands alone, not in "vale la pena" / "cuánto vale".
  const joined = words.join(' ').replace(/\bvale (la|lo|mucho|más|mas|poco)\b/g, 'valer $1').replace(/(cuánto|cuanto) vale/g, '$1 valer');
  const padded = ` ${joined} `;
  let best = language;
  let bestScore = 0;
  let runnerUp = 0;
  for (const cues of candidates) {
    const value = score(cues, lower, words, padded);
    if (value > bestScore) {
      runnerUp = bestScore;
      bestScore = value;
      best = cues.locale;
    } else if (value > runnerUp) runnerUp = value;
  }
  // One weak cue ("você", "€") is not enough; a tie means the text mixes both.
  return bestScore >= 1 && bestScore > runnerUp ? best : language;
}
