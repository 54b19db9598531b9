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

/**
 * Up to `n` characters before `index`, starting at a word boundary: a window cut in the middle of "Jean"
 * must not read as the word "ean".
 */
export function before(text: string, index: number, n: number): string {
  let s = Math.max(0, index - n);
  while (s > 0 && s < index && isWordChar(text.charCodeAt(s - 1)) && isWordChar(text.charCodeAt(s))) s++;
  return text.slice(s, index);
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0xc0;
}

/** One global regex over several word lists; each list is a capture group with the countries it suggests. */
interface Lexicon {
  re: RegExp;
  countries: ReadonlyArray<readonly CountryCode[] | null>;
}

function lexicon(
  entries: ReadonlyArray<readonly [source: string, countries: readonly CountryCode[] | null]>,
): Lexicon {
  return {
    re: new RegExp(entries.map(([source]) => `(${source})`).join('|'), 'gi'),
    countries: entries.map(([, c]) => c),
  };
}

/** Calls `visit(index, group)` for every match of `lex` in `s` (`group` indexes the word lists). */
function scan(lex: Lexicon, s: string, visit: (index: number, group: number) => void): void {
  const { re } = lex;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    let g = 1;
    while (m[g] === undefined) g++;
    visit(m.index, g - 1);
  }
}

// Words that only ever introduce a phone number (or a call), per language, with the countries whose
// national formats that language suggests (English: the other countries where English is written). One
// regex finds the first list that matches at a position, so words shared by languages come first.
const PHONE_WORDS = lexicon([
  [String.raw`\btelefono\b`, ['IT', 'ES', 'CH', 'MX']],
  [String.raw`\bcelular\b`, ['BR', 'ES', 'MX', 'PT', 'AR', 'CO']],
  [
    String.raw`phone|\bcall(?:ing)?\b|\bring\b|\bdial|\bmobile\b|\bcell\b|\btext (?:me|us)\b|hotline|helpline|landline|whats ?app|\bsms\b|\bfax\b|\btel\b`,
    ['GB', 'CA', 'AU', 'IE'],
  ],
  [
    String.raw`t[ée]l[ée]phone|\bt[ée]l\.?(?=\s|:)|portable|appel(?:ez|er|le)|rappel|joindre|joignable|compos(?:ez|er)`,
    ['FR', 'BE', 'CH', 'LU'],
  ],
  [
    String.raw`telefon(?![eo])|handy|\bmobil\b|anruf|\brufen|erreich|rufnummer|durchwahl|festnetz`,
    ['DE', 'AT', 'CH'],
  ],
  [String.raw`teléfono|m[óo]vil|ll[áa]m(?:a|e|ame|ar)\b|\bfijo\b`, ['ES', 'MX', 'AR', 'CO']],
  [String.raw`cellulare|chiam(?:a|ami|are|ate)\b`, ['IT', 'CH']],
  [String.raw`telefoon|mobiel|\bbel(?:len)?\b|\bgsm\b|bereik`, ['NL', 'BE']],
  [String.raw`telefone|telem[óo]vel|\bfone\b|\blig(?:ue|ar|a)\b`, ['BR', 'PT']],
  ['電話|携帯|連絡先|お問い合わせ|ＴＥＬ', ['JP']],
]);

// Words that say "number" (or "office", whose number it is) without saying which kind: a phone cue only
// when no identifier word is near.
const NUMBER_WORDS = lexicon([
  [String.raw`\bnumber\b|\bcontact\w{0,6}|\breach\b|\boffice\b|\bdesk\b|\bbranch\b`, null],
  [String.raw`num[ée]ro|\bbureau\b|\bagence\b`, ['FR', 'BE', 'CH', 'ES', 'IT', 'BR', 'PT']],
  [String.raw`\bnumero\b|ufficio|\bsede\b|contatt`, ['IT', 'CH']],
  [String.raw`\bn[úu]mero\b|oficina|sucursal|agencia`, ['ES', 'BR', 'PT', 'MX']],
  [String.raw`escrit[óo]rio|\bloja\b|contato`, ['BR', 'PT']],
  [String.raw`nummer|b(?:ü|ue)ro\b|filiale`, ['DE', 'NL', 'AT', 'CH', 'BE']],
  ['kantoor', ['NL', 'BE']],
  ['番号|支店|事務所', ['JP']],
]);

/** Words after a number that make it a phone number (German and Japanese put the verb last). */
const PHONE_AFTER = /(?:erreichbar|anrufen|zu erreichen|電話|ご連絡)/gi;

/** Identifier words: a number right after one is an order, customer, tax or company number. */
const ID_WORDS =
  /(?:order|invoice|\bref(?:erence)?\b|referen[zc]|r[ée]f[ée]rence|referencia|riferimento|tracking|isbn|serial|\bsku\b|\bpo\b|ticket|\bcase\b|\bbuild\b|\bid\b|customer|account|routing|company|employee|\bnhs\b|imei|\bean\b|gtin|\bupc\b|barcode|\bdoi\b|\bcas\b|batch|\blot\b|commande|facture|client|dossier|siret|siren|bestell|kunden|rechnung|steuer|auftrag|vorgang|ust-?id|pedido|factura|cliente|\bnif\b|\bcif\b|catastral|ordine|fattura|partita|\biva\b|codice|klant|factuur|\bkvk\b|\bbsn\b|\bcpf\b|\bcnpj\b|\bcep\b|encomenda|postal|postleitzahl|\bzip\b|postcode|\bplz\b|注文|会員|〒|郵便)(?!@)/gi;
/** "No.", "#", "n°": a number of some kind; it vetoes only when no phone or card word says which. */
const GENERIC_ID = /(?:\bno\.|#|\bn\.?\s?[°º]|\bnr\.)/gi;

/** A card word in any of the languages: the number right after it is a payment card. */
const CARD_WORDS =
  /(?:card|\bcc\b|credit|debit|\bvisa\b|master|\bamex\b|maestro|\bjcb\b|unionpay|rupay|\belo\b|\bmir\b|\btroy\b|dankort|hipercard|verve|carte|\bcb\b|karte|tarjeta|carta|kaart|cart[ãa]o|paid|\bpay\b|payment|paiement|zahlung|\bpago\b|pagamento|pay[ée]|bezahlt|pagu[ée]|pagato|paguei|betaald|charge|billing|refund|rembours|erstatt|reembols|rimbors)/gi;

/** Words before a dotted quad that make it a network address. */
const NETWORK_WORDS =
  /(?:\bip\b|ipv4|address|adress|adres|direcci[óo]n|indirizzo|endere[çc]o|アドレス|\bhost|server|serveur|servidor|サーバー|client|gateway|\bdns\b|nameserver|\bping|\bssh\b|connect|connexion|\bfrom\b|\bvon\b|depuis|\bdesde\b|proxy|router|subnet|firewall|block|bloqu|sperr|listen|\bbind\b|peer|\bvpn\b|\blan\b|\bwan\b|remote|origin|traceroute|login|request|\bto\b|\bnach\b|allow|deny|whitelist|blacklist|\bhttps?:\/\/$)/i;

/** Words shortly after a dotted quad that make it a network address. */
const NETWORK_AFTER =
  /^[^.;:!?\n]{0,20}?\b(?:allow|deny|block|dns|server|host|gateway|subnet|firewall|proxy|router|whitelist|blacklist|allowlist|denylist|resolver|nameserver)/i;

/** Words before a dotted number that make it a version, a section or a rule number. */
const NOT_ADDRESS_WORDS =
  /(?:version|\bver\.?|release|firmware|kernel|driver|\bbuild|patch|revision|\brev\.?|rule|section|\bsec\.|§|chapter|clause|article|\bart\.|paragraph|\bstep|figure|\bfig\.|table|\bec\b|\boid\b|subtree|ratio|score|standard|norm|appendix|item|page|règle|regel|regla|regola|kapitel|chapitre|cap[ií]tulo|capitolo|abschnitt|artikel|art[íi]culo|articolo)\W{0,3}(?:\w+\W{1,3})?$/i;
/** `v1.2.3.4`, `v 1.2.3.4`. */
const V_BEFORE = /\bv\s?$/i;

/** Place names that say which country a national phone number belongs to. */
const PLACES = lexicon([
  [String.raw`\b(?:france|paris|lyon|marseille|toulouse|bordeaux|lille|nantes|strasbourg|nice)\b`, ['FR']],
  [
    String.raw`\b(?:germany|deutschland|berlin|hamburg|m(?:ü|ue)nchen|munich|k(?:ö|oe)ln|cologne|frankfurt|stuttgart|d(?:ü|ue)sseldorf|dresden|leipzig|bremen|hannover)\b`,
    ['DE'],
  ],
  [
    String.raw`\b(?:spain|espa(?:ñ|n)a|madrid|barcelona|sevilla|seville|valencia|bilbao|m(?:á|a)laga)\b`,
    ['ES'],
  ],
  [
    String.raw`\b(?:italy|italia|roma|rome|milano|milan|napoli|naples|torino|turin|firenze|florence|bologna)\b`,
    ['IT'],
  ],
  [
    String.raw`\b(?:netherlands|nederland|holland|amsterdam|rotterdam|utrecht|den haag|the hague|eindhoven)\b`,
    ['NL'],
  ],
  [
    String.raw`\b(?:belgium|belgique|belgi(?:ë|e)|bruxelles|brussels|brussel|antwerp(?:en)?|gent|ghent|li(?:è|e)ge)\b`,
    ['BE'],
  ],
  [
    String.raw`\b(?:switzerland|suisse|schweiz|svizzera|z(?:ü|ue|u)rich|gen(?:è|e)ve|geneva|genf|bern|lausanne|basel)\b`,
    ['CH'],
  ],
  [String.raw`\b(?:austria|(?:ö|oe)sterreich|wien|vienna|graz|salzburg|linz)\b`, ['AT']],
  [
    String.raw`\b(?:uk|u\.k\.|britain|england|scotland|wales|london|manchester|birmingham|edinburgh|glasgow|leeds|bristol|liverpool)\b`,
    ['GB'],
  ],
  [String.raw`\b(?:ireland|dublin|cork)\b`, ['IE']],
  [String.raw`\b(?:portugal|lisboa|lisbon|porto)\b`, ['PT']],
  [
    String.raw`\bbrasil\b|\bbrazil\b|s(?:ã|a)o paulo|\brio de janeiro\b|\bbras(?:í|i)lia\b|\bbelo horizonte\b|\bsalvador\b|\brecife\b`,
    ['BR'],
  ],
  [String.raw`\bjapan\b|\btokyo\b|\bosaka\b|\bkyoto\b|日本|東京|大阪|京都|名古屋`, ['JP']],
  [String.raw`\b(?:canada|toronto|montr(?:é|e)al|vancouver|ottawa|calgary)\b`, ['CA']],
  [String.raw`\b(?:australia|sydney|melbourne|brisbane|perth)\b`, ['AU']],
  [String.raw`\b(?:mexico|m(?:é|e)xico|guadalajara|monterrey)\b`, ['MX']],
]);

/**
 * Function words per language: when two or more of one language sit around a number ("Puede contactarnos
 * en el … de lunes a viernes"), its countries are tried too.
 */
const LANGUAGE_WORDS = lexicon([
  [String.raw`\b(?:le|les|des|du|au|aux|pour|avec|nous|vous|est|sur|chez|merci)\b`, ['FR', 'BE', 'CH']],
  [String.raw`\b(?:der|die|das|und|ist|sie|mich|unter|ich|wir|uns|bitte|mit|bei)\b`, ['DE', 'AT', 'CH']],
  [String.raw`\b(?:el|los|las|del|en|para|por|con|nuestro|nuestra|puede|llame)\b`, ['ES', 'MX']],
  [String.raw`\b(?:il|gli|della|dei|per|sono|mio|mia|chiamare|alle|dal|nostro)\b`, ['IT', 'CH']],
  [String.raw`\b(?:het|een|van|ons|mijn|je|op|bij|naar|voor)\b`, ['NL', 'BE']],
  [String.raw`\b(?:os|do|da|dos|das|com|meu|minha|nosso|nossa|você|pelo|pela)\b`, ['BR', 'PT']],
]);

/** A CJK character (kana or kanji): Japanese text around a number points to Japan. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

/** What the words around a phone candidate say it is. */
export interface PhoneCues {
  /** `phone`: a phone word; `number`: only a generic number word; `id`: an identifier word wins. */
  kind: 'phone' | 'number' | 'id' | 'none';
  /** Countries the phone and number words' languages suggest, in the order met. */
  wordCountries: CountryCode[];
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

function addAll(list: CountryCode[], cs: readonly CountryCode[] | null | undefined): void {
  if (cs) for (const c of cs) if (!list.includes(c)) list.push(c);
}

/**
 * Reads the words before a phone candidate at `[start, end)` (and after it, where German and Japanese put
 * the verb). An identifier word wins over generic number words, and over phone words further away than
 * itself ("Client Dupont, téléphone 06 ..." is a phone; "numéro de commande 123 ..." is not). Cheap: a
 * handful of regex runs over 40 characters; the countries are looked up only when needed
 * ({@link phoneCountries}).
 */
export function phoneCues(text: string, start: number, end: number): PhoneCues {
  const near = clauseBefore(before(text, start, 40));
  const wordCountries: CountryCode[] = [];
  let phoneAt = -1;
  scan(PHONE_WORDS, near, (at, g) => {
    phoneAt = at;
    addAll(wordCountries, PHONE_WORDS.countries[g]);
  });
  let numberAt = -1;
  scan(NUMBER_WORDS, near, (at, g) => {
    numberAt = at;
    addAll(wordCountries, NUMBER_WORDS.countries[g]);
  });
  // An identifier word labels the next number only: "ISBN 978-… Büro Zürich: 022 …" is not an ISBN.
  const lastDigit = lastIndexOf(DIGIT, near);
  const tail = near.slice(lastDigit + 1);
  const idAt = lastIndexOf(ID_WORDS, tail);
  const idPos = idAt < 0 ? -1 : idAt + lastDigit + 1;
  let kind: PhoneCues['kind'] = 'none';
  if (idPos >= 0 && idPos >= phoneAt) kind = 'id';
  else if (phoneAt >= 0 || lastIndexOf(PHONE_AFTER, clauseAfter(text, end)) >= 0) kind = 'phone';
  else if (lastIndexOf(GENERIC_ID, tail) >= 0) kind = 'id';
  else if (numberAt >= 0) kind = 'number';
  return { kind, wordCountries };
}

/**
 * The countries the text around `[start, end)` points to: place names (before or after the number: "Please
 * call 01800 928471, we are in London"), the language of its words, Japanese script, then `wordCountries`.
 */
export function phoneCountries(
  text: string,
  start: number,
  end: number,
  wordCountries: readonly CountryCode[],
): CountryCode[] {
  const ctx = before(text, start, CUE_WINDOW);
  const after = clauseAfter(text, end);
  const out: CountryCode[] = [];
  const place = (_: number, g: number) => addAll(out, PLACES.countries[g]);
  scan(PLACES, ctx, place);
  scan(PLACES, after, place);
  if (JAPANESE.test(ctx) || JAPANESE.test(after)) addAll(out, ['JP']);
  addAll(out, wordCountries);
  const counts = new Array<number>(LANGUAGE_WORDS.countries.length).fill(0);
  const around = `${ctx} ${after}`;
  scan(LANGUAGE_WORDS, around, (_, g) => {
    counts[g]!++;
  });
  counts.forEach((n, g) => {
    if (n >= 2) addAll(out, LANGUAGE_WORDS.countries[g]);
  });
  return out;
}

const DIGIT = /\d/g;

/**
 * The part of `ctx` after its last sentence end: cue words of an earlier sentence do not count. A sentence
 * ends at a line break, at `。`, or at `.`, `!`, `?` or `;` followed by a space and preceded by a digit,
 * `)` or a word of four or more letters: abbreviations ("No.", "Tel.", "n.º") end nothing. A loop from
 * the end, as this runs for every phone candidate.
 */
function clauseBefore(ctx: string): string {
  for (let k = ctx.length - 1; k >= 0; k--) {
    const c = ctx.charCodeAt(k);
    if (c === 10 || c === 0x3002) return ctx.slice(k + 1);
    if (c !== 46 && c !== 33 && c !== 63 && c !== 59) continue; // . ! ? ;
    const next = ctx.charCodeAt(k + 1);
    if (next !== 32 && next !== 9 && next !== 0xa0) continue;
    const p = ctx.charCodeAt(k - 1);
    if ((p >= 48 && p <= 57) || p === 41) return ctx.slice(k + 1);
    let letters = 0;
    while (letters < 4 && k - 1 - letters >= 0 && isLetter(ctx.charCodeAt(k - 1 - letters))) letters++;
    if (letters === 4) return ctx.slice(k + 1);
  }
  return ctx;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f);
}

/** The text after a number up to the end of its clause; a label ("Celular:") starts the next item. */
function clauseAfter(text: string, end: number): string {
  const s = text.slice(end, end + 40);
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
  const cardAt = lastIndexOf(CARD_WORDS, ctx);
  const idAt = lastIndexOf(ID_WORDS, ctx);
  // "Card no. 4111 …": a generic "no." after a card word is the card's number.
  return (idAt >= 0 && idAt >= cardAt) || (cardAt < 0 && lastIndexOf(GENERIC_ID, ctx) >= 0);
}

/** How the words before a dotted quad at `start` read: as a network address, as a version, or neither. */
export function dottedQuadCue(text: string, start: number, end: number): 'address' | 'not-address' | 'none' {
  const ctx = before(text, start, 24);
  if (V_BEFORE.test(ctx) || NOT_ADDRESS_WORDS.test(ctx)) return 'not-address';
  if (NETWORK_WORDS.test(before(text, start, 48))) return 'address';
  // "Add 8.8.8.8 to the allow list", "8.8.4.4 as the DNS server".
  if (NETWORK_AFTER.test(text.slice(end, end + 32))) return 'address';
  return 'none';
}
