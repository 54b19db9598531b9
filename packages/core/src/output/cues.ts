/**
 * The words around a number that tell a reader what it is, in the languages the PII scanner reads
 * (English, French, German, Spanish, Italian, Dutch, Portuguese, Japanese): phone words and the countries
 * their language points to, place names, identifier words (order, customer, tax and company numbers),
 * card words, network words, and words that make a dotted number a version or a section.
 *
 * Every regex here runs on a short, bounded window next to a candidate (at most {@link CUE_WINDOW}
 * characters), never on the whole text, and none has nested quantifiers.
 * @module
 */
import type { CountryCode } from 'libphonenumber-js/max';

/**
 * How far back cues are looked for. Streams keep at least this much released text as context (see
 * `text-pipeline.ts`), so a number scanned in a stream sees the same cues as in the whole text.
 */
export const CUE_WINDOW = 64;

/** Up to `n` characters before `index`. */
export function before(text: string, index: number, n: number): string {
  return text.slice(Math.max(0, index - n), index);
}

// Words that only ever introduce a phone number (or a call), per language, mapped to the countries whose
// national formats that language suggests. `null`: the word says "phone" but not where.
const PHONE_WORDS: ReadonlyArray<readonly [RegExp, readonly CountryCode[] | null]> = [
  [
    /(?:phone|\bcall(?:ing)?\b|\bring\b|\bdial|\bmobile\b|\bcell\b|\btext (?:me|us)\b|hotline|helpline|landline|whats ?app|\bsms\b|\bfax\b|\btel\b|\btel\.)/gi,
    null,
  ],
  [
    /(?:t[ée]l[ée]phone|\bt[ée]l\.?(?=\s|:)|portable|appel(?:ez|er|le)|rappel|joindre|compos(?:ez|er))/gi,
    ['FR', 'BE', 'CH', 'LU'],
  ],
  [/(?:telefon|handy|\bmobil\b|anruf|\brufen|erreich|rufnummer|durchwahl|festnetz)/gi, ['DE', 'AT', 'CH']],
  [/(?:tel[ée]fono|m[óo]vil|celular|ll[áa]m(?:a|e|ame|ar)\b|\bfijo\b)/gi, ['ES', 'MX', 'AR', 'CO']],
  [/(?:telefono|cellulare|chiam(?:a|ami|are|ate)\b)/gi, ['IT', 'CH']],
  [/(?:telefoon|mobiel|\bbel(?:len)?\b|\bgsm\b|bereik)/gi, ['NL', 'BE']],
  [/(?:telefone|telem[óo]vel|\bfone\b|\blig(?:ue|ar|a)\b)/gi, ['BR', 'PT']],
  [/(?:電話|携帯|連絡先|お問い合わせ|ＴＥＬ)/g, ['JP']],
];

// Words that say "number" without saying which kind: a phone cue only when no identifier word is near.
const NUMBER_WORDS: ReadonlyArray<readonly [RegExp, readonly CountryCode[] | null]> = [
  [/(?:\bnumber\b|\bcontact\b|\breach (?:me|us)\b)/gi, null],
  [/num[ée]ro/gi, ['FR', 'BE', 'CH', 'ES', 'IT', 'BR', 'PT']],
  [/\bnumero\b/gi, ['IT', 'CH']],
  [/\bn[úu]mero\b/gi, ['ES', 'BR', 'PT', 'MX']],
  [/nummer/gi, ['DE', 'NL', 'AT', 'CH', 'BE']],
  [/番号/g, ['JP']],
];

/** Identifier words: a number right after one is an order, customer, tax or company number. */
const ID_WORDS =
  /(?:order|invoice|\bref(?:erence)?\b|tracking|isbn|serial|\bsku\b|\bpo\b|ticket|\bcase\b|\bbuild\b|\bid\b|\bno\.|#|customer|account|routing|company|employee|\bnhs\b|imei|\bean\b|gtin|\bupc\b|barcode|\bdoi\b|\bcas\b|commande|facture|client|dossier|\bn\.?\s?[°º]|siret|siren|bestell|kunden|rechnung|steuer|auftrag|vorgang|ust-?id|pedido|factura|cliente|\bnif\b|\bcif\b|catastral|ordine|fattura|partita|\biva\b|codice|klant|factuur|\bkvk\b|\bbsn\b|\bcpf\b|\bcnpj\b|\bcep\b|encomenda|postal|postleitzahl|\bzip\b|postcode|\bplz\b|注文|会員|〒|郵便)/gi;

/** A card word in any of the languages: the number right after it is a payment card. */
const CARD_WORDS =
  /(?:card|\bcc\b|credit|debit|\bvisa\b|master|\bamex\b|maestro|\bjcb\b|unionpay|rupay|\belo\b|\bmir\b|\btroy\b|dankort|hipercard|verve|carte|\bcb\b|karte|tarjeta|carta|kaart|cart[ãa]o|paid|\bpay\b|pay[ée]|bezahlt|pagu[ée]|pagato|paguei|betaald|charge|billing|refund|rembours|erstatt|reembols|rimbors)/gi;

/** Words before a dotted quad that make it a network address. */
const NETWORK_WORDS =
  /(?:\bip\b|ipv4|address|adress|adres|direcci[óo]n|indirizzo|endere[çc]o|アドレス|\bhost|server|serveur|servidor|サーバー|client|gateway|\bdns\b|nameserver|\bping|\bssh\b|connect|connexion|\bfrom\b|\bvon\b|depuis|\bdesde\b|proxy|router|subnet|firewall|block|bloqu|sperr|listen|\bbind\b|peer|\bvpn\b|\blan\b|\bwan\b|remote|origin|traceroute|login|request|\bto\b|\bnach\b|allow|deny|whitelist|blacklist|\bhttps?:\/\/$)/i;

/** Words before a dotted number that make it a version, a section or a rule number. */
const NOT_ADDRESS_WORDS =
  /(?:version|\bver\.?|release|firmware|kernel|driver|\bbuild|patch|revision|\brev\.?|rule|section|\bsec\.|§|chapter|clause|article|\bart\.|paragraph|\bstep|figure|\bfig\.|table|\bec\b|\boid\b|subtree|ratio|score|standard|norm|appendix|item|page|règle|regel|regla|regola|kapitel|chapitre|cap[ií]tulo|capitolo|abschnitt|artikel|art[íi]culo|articolo)\W{0,3}(?:\w+\W{1,3})?$/i;
/** `v1.2.3.4`, `v 1.2.3.4`. */
const V_BEFORE = /\bv\s?$/i;

/** Place names that say which country a national phone number belongs to. */
const PLACES: ReadonlyArray<readonly [CountryCode, RegExp]> = [
  ['FR', /\b(?:france|paris|lyon|marseille|toulouse|bordeaux|lille|nantes|strasbourg|nice)\b/i],
  [
    'DE',
    /\b(?:germany|deutschland|berlin|hamburg|m(?:ü|ue)nchen|munich|k(?:ö|oe)ln|cologne|frankfurt|stuttgart|d(?:ü|ue)sseldorf|dresden|leipzig|bremen|hannover)\b/i,
  ],
  ['ES', /\b(?:spain|espa(?:ñ|n)a|madrid|barcelona|sevilla|seville|valencia|bilbao|m(?:á|a)laga)\b/i],
  ['IT', /\b(?:italy|italia|roma|rome|milano|milan|napoli|naples|torino|turin|firenze|florence|bologna)\b/i],
  ['NL', /\b(?:netherlands|nederland|holland|amsterdam|rotterdam|utrecht|den haag|the hague|eindhoven)\b/i],
  [
    'BE',
    /\b(?:belgium|belgique|belgi(?:ë|e)|bruxelles|brussels|brussel|antwerp(?:en)?|gent|ghent|li(?:è|e)ge)\b/i,
  ],
  [
    'CH',
    /\b(?:switzerland|suisse|schweiz|svizzera|z(?:ü|ue|u)rich|gen(?:è|e)ve|geneva|genf|bern|lausanne|basel)\b/i,
  ],
  ['AT', /\b(?:austria|(?:ö|oe)sterreich|wien|vienna|graz|salzburg|linz)\b/i],
  [
    'GB',
    /\b(?:uk|u\.k\.|britain|england|scotland|wales|london|manchester|birmingham|edinburgh|glasgow|leeds|bristol|liverpool)\b/i,
  ],
  ['IE', /\b(?:ireland|dublin|cork)\b/i],
  ['PT', /\b(?:portugal|lisboa|lisbon|porto)\b/i],
  [
    'BR',
    /(?:\bbrasil\b|\bbrazil\b|s(?:ã|a)o paulo|\brio de janeiro\b|\bbras(?:í|i)lia\b|\bbelo horizonte\b|\bsalvador\b|\brecife\b)/i,
  ],
  ['JP', /(?:\bjapan\b|\btokyo\b|\bosaka\b|\bkyoto\b|日本|東京|大阪|京都|名古屋)/i],
  ['CA', /\b(?:canada|toronto|montr(?:é|e)al|vancouver|ottawa|calgary)\b/i],
  ['AU', /\b(?:australia|sydney|melbourne|brisbane|perth)\b/i],
  ['MX', /\b(?:mexico|m(?:é|e)xico|guadalajara|monterrey)\b/i],
];

/** A CJK character (kana or kanji): Japanese text around a number points to Japan. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

/** What the text around a phone candidate says. */
export interface PhoneCues {
  /** `phone`: a phone word; `number`: only a generic number word; `id`: an identifier word wins. */
  kind: 'phone' | 'number' | 'id' | 'none';
  /** Countries suggested by place names and the language of the cue words, most specific first. */
  countries: CountryCode[];
  /** Only a place name points to a country ("Büro Zürich: 078 ..."), no phone or number word. */
  placed: boolean;
}

/** Index of the last match of the global regex `re` in `s`, or -1. */
function lastIndexOf(re: RegExp, s: string): number {
  let best = -1;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    best = m.index;
    if (m[0].length === 0) re.lastIndex++;
  }
  return best;
}

/**
 * Reads the cues before a phone candidate at `start` (and a few characters after it, where Japanese puts
 * the verb). An identifier word wins over generic number words, and over phone words further away than
 * itself ("Client Dupont, téléphone 06 ..." is a phone; "numéro de commande 123 ..." is not).
 */
export function phoneCues(text: string, start: number, end: number): PhoneCues {
  const ctx = before(text, start, CUE_WINDOW);
  const near = clauseBefore(ctx.slice(-40));
  const after = clauseAfter(text.slice(end, end + 40));
  const countries: CountryCode[] = [];
  const add = (cs: readonly CountryCode[] | null) => {
    if (cs) for (const c of cs) if (!countries.includes(c)) countries.push(c);
  };
  // "Please call 01800 928471 to rebook, we are in London.": the place may come after the number.
  for (const [cc, re] of PLACES) if (re.test(ctx) || re.test(after)) add([cc]);
  let phoneAt = -1;
  let phoneAfter = false;
  for (const [re, cs] of PHONE_WORDS) {
    const at = lastIndexOf(re, near);
    // German and Japanese put the verb after the number ("… unter 0171 1234567 erreichbar",
    // "…までお電話ください").
    const later = lastIndexOf(re, after) >= 0;
    if (at >= 0 || later) {
      add(cs);
      phoneAt = Math.max(phoneAt, at);
      phoneAfter ||= later;
    }
  }
  let numberAt = -1;
  for (const [re, cs] of NUMBER_WORDS) {
    const at = lastIndexOf(re, near);
    if (at >= 0) {
      add(cs);
      numberAt = Math.max(numberAt, at);
    }
  }
  if (JAPANESE.test(near) || JAPANESE.test(after)) add(['JP']);
  // An identifier word labels the next number only: "ISBN 978-… Büro Zürich: 022 …" is not an ISBN.
  const lastDigit = lastIndexOf(DIGIT, near);
  const idAt = lastIndexOf(ID_WORDS, near.slice(lastDigit + 1));
  const idPos = idAt < 0 ? -1 : idAt + lastDigit + 1;
  let kind: PhoneCues['kind'] = 'none';
  if (idPos >= 0 && idPos >= phoneAt) kind = 'id';
  else if (phoneAt >= 0 || phoneAfter) kind = 'phone';
  else if (numberAt >= 0) kind = 'number';
  return { kind, countries, placed: countries.length > 0 && kind === 'none' };
}

const DIGIT = /\d/g;

// The end of a sentence or statement: a word of 4+ letters, a digit or `)` followed by `.`, `!`, `?` or
// `;` and a space, or a line break. Abbreviations ("No.", "Tel.", "n.º") do not end anything.
const CLAUSE_END = /(?:[A-Za-z\u00c0-\u024f]{4}|[\d)])[.!?;](?=\s)|[\n。]/g;

/** The part of `ctx` after the last sentence end in it: cue words of an earlier sentence do not count. */
function clauseBefore(ctx: string): string {
  let cut = 0;
  CLAUSE_END.lastIndex = 0;
  for (let m = CLAUSE_END.exec(ctx); m !== null; m = CLAUSE_END.exec(ctx)) cut = m.index + m[0].length;
  return ctx.slice(cut);
}

/** The text after a number up to the end of its clause; a label ("Celular:") starts the next item. */
function clauseAfter(s: string): string {
  const m = /[.,:;!?\n：。（(]|\d/.exec(s);
  const clause = m ? s.slice(0, m.index) : s;
  // "… 820213723 Celular: (61) …": a word right before a colon labels what follows, not this number.
  return m && (m[0] === ':' || m[0] === '：') ? '' : clause;
}

/** True when a card word sits in the 40 characters before `start`. */
export function cardWordBefore(text: string, start: number): boolean {
  return lastIndexOf(CARD_WORDS, before(text, start, 40)) >= 0;
}

/**
 * True when an identifier word sits in the 24 characters before `start` with no card word after it
 * ("Order 4111..." is an order number; "DOI 10.1/2 cc=4111..." is a card).
 */
export function idBeforeCard(text: string, start: number): boolean {
  const ctx = before(text, start, 24);
  const idAt = lastIndexOf(ID_WORDS, ctx);
  return idAt >= 0 && idAt >= lastIndexOf(CARD_WORDS, ctx);
}

/** How the words before a dotted quad at `start` read: as a network address, as a version, or neither. */
export function dottedQuadCue(text: string, start: number): 'address' | 'not-address' | 'none' {
  const ctx = before(text, start, 24);
  if (V_BEFORE.test(ctx) || NOT_ADDRESS_WORDS.test(ctx)) return 'not-address';
  if (NETWORK_WORDS.test(before(text, start, 48))) return 'address';
  return 'none';
}
