/**
 * Near-miss negatives: text that holds numbers, tokens and addresses shaped like an entity but that a
 * reader does not take for one (order and customer numbers, company and tax ids, dates, prices and
 * populations in national notations, versions and section numbers, hashes, content ids, barcodes, IMEIs).
 * As with the templates, even positions are the dev split and odd positions the held-out split.
 */
import type { Rng } from './random.js';
import type { Lang } from './templates.js';
import { B62, B64, cardNumber, formatCard, HEX, iban, ssn, withLuhn } from './values.js';

type Gen = (r: Rng) => string;

const pad2 = (n: number) => String(n).padStart(2, '0');
const uuid = (r: Rng) => [8, 4, 4, 4, 12].map((n) => r.chars(n, HEX)).join('-');
/** EAN-13: weights 1 and 3 from the left, check digit makes the sum a multiple of ten. */
const ean13 = (d12: string) =>
  d12 + String((10 - ([...d12].reduce((a, c, i) => a + Number(c) * (i % 2 ? 3 : 1), 0) % 10)) % 10);
const thousands = (n: number, sep: string) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);

/** Negatives that read the same in any language (code, ids, hashes, versions). */
const COMMON: Gen[] = [
  (r) => `Order #${r.digits(r.int(8, 12))} has shipped.`,
  (r) => `Your order number is ${r.int(1, 9)}${r.digits(9)}.`,
  (r) => `Invoice ${r.int(10000, 99999)}-${r.digits(4)} is due.`,
  (r) => `Tracking: 1Z${r.chars(6, 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789')}${r.digits(10)}`,
  (r) => `Upgrade to v${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 30)}.${r.int(0, 99)} now.`,
  (r) => `Requires version ${r.int(1, 12)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(0, 99)} or later`,
  (r) => `Released ${r.int(2015, 2025)}-${pad2(r.int(1, 12))}-${pad2(r.int(1, 28))}.`,
  (r) => `Card ${formatCard(r, cardNumber(r, false).value)} was declined.`,
  (r) => `ISBN ${r.pick(['978', '979'])}-${r.int(0, 9)}-${r.digits(2)}-${r.digits(6)}-${r.int(0, 9)}`,
  (r) => `Request id ${uuid(r)} failed.`,
  (r) => `Fixed in commit ${r.chars(40, HEX)}.`,
  (r) => `sha256: ${r.chars(64, HEX)}`,
  (r) => `IBAN ${iban(r, false)} is invalid.`,
  (r) => `Invalid SSN ${ssn(r, false)} rejected.`,
  (r) => `pi is 3.${r.digits(14)}`,
  (r) =>
    `See https://docs.example.com/v${r.int(1, 3)}/api/${r.pick(['users', 'orders'])}?page=${r.int(1, 9)}`,
  () => 'const AbstractSingletonProxyFactoryBean = new UserAccountRepositoryImpl();',
  (r) => `Color #${r.chars(6, HEX)} and rgb(${r.int(0, 255)}, ${r.int(0, 255)}, ${r.int(0, 255)})`,
  (r) =>
    `Call ${r.int(1, 9)} of ${r.int(10, 20)}: ${r.int(1000, 9999)} tokens in ${r.int(10, 99)}.${r.digits(2)}s`,
  (r) => `Ticket #${r.digits(10)} escalated`,
  (r) => `data:image/png;base64,${r.chars(300, B64)}`,
  // Dotted numbers that are not addresses: ratios, section and rule numbers, EC numbers, OIDs.
  (r) => `the ratio was ${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)} in the legacy format`,
  (r) => `See section ${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 12)}.${r.int(1, 9)} of the standard.`,
  (r) => `Trypsin is EC ${r.int(1, 7)}.${r.int(1, 20)}.${r.int(1, 99)}.${r.int(1, 150)}.`,
  (r) => `Rule ${r.int(1, 9)}.${r.int(1, 9)}.${r.int(0, 9)}.${r.int(1, 9)} applies to all contractors.`,
  (r) => `The SNMP subtree 1.3.6.${r.int(1, 9)} holds the vendor objects.`,
  (r) => `Firmware ${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(0, 9)} fixes the fan curve.`,
  (r) => `Scores per round: ${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)} (best of four).`,
  // Hashes and ids with secret-like character mixes.
  (r) => `Pinned to ipfs://Qm${r.chars(44, '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz')}`,
  (r) => `"integrity": "sha512-${r.chars(86, B64)}=="`,
  (r) => `image: registry.example.com/app@sha256:${r.chars(64, HEX)}`,
  (r) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${r.chars(43, B64)} ${r.pick(['jane', 'build'])}@laptop`,
  (r) => `Open https://docs.google.com/document/d/1${r.chars(43, `${B62}_-`)}/edit to comment.`,
  (r) =>
    `-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE${r.chars(52, B64)}\n-----END PUBLIC KEY-----`,
  (r) => `The bundle is main.${r.chars(8, HEX)}.js and vendor.${r.chars(20, HEX)}.js`,
  // Numbers near card, phone and IP shapes.
  (r) => `IMEI ${withLuhn(`35${r.digits(12)}`)} registered to the device.`,
  (r) => `EAN ${ean13(`${r.pick(['40', '50', '76', '80'])}${r.digits(10)}`)} on the label`,
  (r) => `Epoch ms ${r.int(1600000000000, 1800000000000)} in the log`,
  (r) => `USPS tracking 9400 ${r.digits(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(2)}`,
  (r) => `Coordinates ${r.int(10, 60)}.${r.digits(4)}, ${r.int(1, 20)}.${r.digits(4)}`,
  (r) => `CAS ${r.int(50, 9999)}-${r.digits(2)}-${r.int(0, 9)}, DOI 10.${r.int(1000, 9999)}/${r.digits(6)}`,
  (r) =>
    `arXiv:${r.int(18, 25)}${pad2(r.int(1, 12))}.${r.digits(5)} reports ${r.int(10, 99)}.${r.int(1, 9)}% accuracy`,
  (r) => `ZIP ${r.digits(5)}-${r.digits(4)}, suite ${r.int(100, 999)}`,
  (r) => `npm install lodash@4.17.${r.int(10, 21)} react@18.${r.int(0, 3)}.${r.int(0, 9)}`,
  (r) => `Use logo@2x.png and icon@${r.int(2, 3)}x.webp for retina screens.`,
  (r) => `Follow @${r.pick(['jane', 'dev_ops', 'acme'])}${r.int(1, 99)} for updates`,
  (r) => `The model scored ${r.int(10, 99)}.${r.digits(3)} at step ${thousands(r.int(100000, 9999999), ',')}`,
  (r) => `Batch ${r.digits(3)}-${r.digits(2)}-${r.digits(5)} passed QA`,
  (r) => `Kernel 6.${r.int(1, 9)}.${r.int(0, 20)}-${r.int(10, 99)}-generic on x86_64`,
];

/** Negatives in the notation of each language: dates, prices, populations, company and order numbers. */
const BY_LANG: Record<Lang, Gen[]> = {
  en: [
    (r) =>
      `Meeting on ${r.int(1, 12)}/${r.int(1, 28)}/${r.int(2019, 2026)} at ${r.int(0, 23)}:${pad2(r.int(0, 59))}`,
    (r) => `Total: $${r.int(1, 99)},${r.digits(3)}.${r.digits(2)}`,
    (r) => `Population ${thousands(r.int(1000000, 9999999), ',')} in ${r.int(1990, 2024)}`,
    (r) => `Employee id ${r.digits(9)} onboarded`,
    (r) => `Customer number ${r.digits(10)} was merged into account ${r.digits(8)}.`,
    (r) => `Routing number ${r.digits(9)} belongs to the credit union.`,
    (r) => `Room ${r.int(100, 999)}, building ${r.int(1, 20)}, zip ${r.digits(5)}`,
    (r) => `The warehouse holds ${thousands(r.int(1000000, 99999999), ',')} units (${r.int(10, 99)}% full).`,
  ],
  'en-GB': [
    (r) =>
      `Sort code ${pad2(r.int(10, 99))}-${pad2(r.int(10, 99))}-${pad2(r.int(10, 99))}, account ${r.digits(8)}`,
    (r) => `Company No. ${r.digits(8)} registered in England`,
    (r) =>
      `Booked for ${pad2(r.int(1, 28))}/${pad2(r.int(1, 12))}/${r.int(2020, 2026)}, £${thousands(r.int(1000, 99999), ',')}.${r.digits(2)}`,
    (r) => `NHS reference ${r.digits(3)} ${r.digits(3)} ${r.digits(4)} is for the referral letter.`,
  ],
  fr: [
    (r) => `La population est de ${thousands(r.int(1000000, 9999999), ' ')} habitants.`,
    (r) => `Montant : ${thousands(r.int(1000, 999999), ' ')},${r.digits(2)} €`,
    (r) => `Numéro de commande : ${r.digits(9)}`,
    (r) => `SIRET ${r.digits(3)} ${r.digits(3)} ${r.digits(3)} ${r.digits(5)}`,
    (r) =>
      `Rendez-vous le ${pad2(r.int(1, 28))}/${pad2(r.int(1, 12))}/${r.int(2020, 2026)} à ${r.int(8, 19)}h${pad2(r.int(0, 59))}.`,
    (r) =>
      `Code postal ${r.pick(['75008', '69002', '13001', '33000'])} ${r.pick(['Paris', 'Lyon', 'Marseille', 'Bordeaux'])}`,
    (r) => `Le dossier n° ${r.digits(2)} ${r.digits(3)} ${r.digits(3)} est clos.`,
    (r) => `Numéro client ${r.digits(10)}, facture ${r.digits(8)}`,
    (r) => `Distance parcourue : ${thousands(r.int(1000, 99999), ' ')} km en ${r.int(2, 9)} jours`,
  ],
  de: [
    (r) => `Bestellnummer ${r.digits(9)}`,
    (r) => `Betrag: ${thousands(r.int(1000, 999999), '.')},${r.digits(2)} €`,
    (r) => `Steuernummer ${r.digits(2)}/${r.digits(3)}/${r.digits(5)}`,
    (r) =>
      `Termin am ${pad2(r.int(1, 28))}.${pad2(r.int(1, 12))}.${r.int(2020, 2026)} um ${r.int(8, 19)}:${pad2(r.int(0, 59))} Uhr`,
    (r) => `Kundennummer ${r.digits(10)} wurde gesperrt.`,
    (r) => `Einwohnerzahl: ${thousands(r.int(1000000, 9999999), '.')}`,
    (r) => `USt-IdNr. DE${r.digits(9)}`,
    (r) =>
      `Rechnungsnummer ${r.digits(4)}-${r.digits(6)} vom ${pad2(r.int(1, 28))}.${pad2(r.int(1, 12))}.${r.int(2020, 2026)}`,
    (r) => `Postleitzahl ${r.pick(['10115', '20095', '80331', '50667'])}, Hausnummer ${r.int(1, 200)}`,
  ],
  es: [
    (r) => `Número de pedido: ${r.digits(9)}`,
    (r) => `Importe: ${thousands(r.int(1000, 999999), '.')},${r.digits(2)} €`,
    (r) => `NIF ${r.digits(8)}${r.chars(1, 'ABCDEFGHJKLMNPQRSTVWXYZ')}`,
    (r) =>
      `La cita es el ${pad2(r.int(1, 28))}/${pad2(r.int(1, 12))}/${r.int(2020, 2026)} a las ${r.int(8, 19)}:${pad2(r.int(0, 59))}.`,
    (r) => `Tiene ${thousands(r.int(1000000, 9999999), '.')} habitantes.`,
    (r) => `Referencia catastral ${r.digits(7)}${r.chars(2, 'ABCDEFGHJKLMNPQRSTUVWXYZ')}${r.digits(4)}`,
  ],
  it: [
    (r) => `Numero d'ordine ${r.digits(9)}`,
    (r) => `Partita IVA ${r.digits(11)}`,
    (r) => `Importo: ${thousands(r.int(1000, 999999), '.')},${r.digits(2)} €`,
    (r) =>
      `Appuntamento il ${pad2(r.int(1, 28))}/${pad2(r.int(1, 12))}/${r.int(2020, 2026)} alle ${r.int(8, 19)}:${pad2(r.int(0, 59))}.`,
    (r) => `Codice cliente ${r.digits(10)}`,
    (r) => `Abitanti: ${thousands(r.int(1000000, 9999999), '.')}`,
  ],
  nl: [
    (r) => `Ordernummer ${r.digits(9)}`,
    (r) => `KvK-nummer ${r.digits(8)}`,
    (r) => `Bedrag: € ${thousands(r.int(1000, 999999), '.')},${r.digits(2)}`,
    (r) =>
      `Afspraak op ${pad2(r.int(1, 28))}-${pad2(r.int(1, 12))}-${r.int(2020, 2026)} om ${r.int(8, 19)}:${pad2(r.int(0, 59))}.`,
    (r) => `Klantnummer ${r.digits(10)}`,
  ],
  'pt-BR': [
    (r) => `CPF ${r.digits(3)}.${r.digits(3)}.${r.digits(3)}-${r.digits(2)}`,
    (r) => `CNPJ ${r.digits(2)}.${r.digits(3)}.${r.digits(3)}/0001-${r.digits(2)}`,
    (r) => `Número do pedido: ${r.digits(9)}`,
    (r) => `Valor: R$ ${thousands(r.int(1000, 999999), '.')},${r.digits(2)}`,
    (r) => `CEP ${r.digits(5)}-${r.digits(3)}`,
    (r) => `Reunião em ${pad2(r.int(1, 28))}/${pad2(r.int(1, 12))}/${r.int(2020, 2026)} às ${r.int(8, 19)}h.`,
  ],
  'pt-PT': [
    (r) => `NIF ${r.digits(9)}`,
    (r) => `Código postal ${r.digits(4)}-${r.digits(3)} Lisboa`,
    (r) => `Encomenda n.º ${r.digits(9)}`,
  ],
  ja: [
    (r) => `注文番号 ${r.digits(10)}`,
    (r) => `〒${r.digits(3)}-${r.digits(4)} 東京都千代田区`,
    (r) => `${r.int(2020, 2026)}年${r.int(1, 12)}月${r.int(1, 28)}日に発売`,
    (r) => `価格：${thousands(r.int(1000, 999999), ',')}円`,
    (r) => `会員番号 ${r.digits(4)}-${r.digits(4)}-${r.digits(4)}`,
  ],
};

/** The negative generators of `lang` for `split` (language-specific first, then the shared ones). */
export function negativesFor(lang: Lang, split: 'dev' | 'held-out'): Gen[] {
  const keep = (_: Gen, i: number) => (i % 2 === 0) === (split === 'dev');
  return [...BY_LANG[lang].filter(keep), ...COMMON.filter(keep)];
}
