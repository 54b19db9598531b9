/**
 * The `fresh` split: sentences and near misses written after the first held-out run, before its misses
 * were looked at, and scored only once the rules were final. Same value generators as the other splits.
 */
import type { Rng } from './random.js';
import type { Lang } from './templates.js';
import { cardNumber, HEX, withLuhn } from './values.js';

export const FRESH_POSITIVE: Record<Lang, Partial<Record<string, string[]>>> = {
  en: {
    email: ['Forward the invoice to {email} please.', 'Questions? {email}', 'From: {name} <{email}>'],
    phone: [
      'Text or call {phone} any time before 9pm.',
      'The on-call engineer can be reached at {phone}.',
      'WhatsApp me on {phone}',
      "We're moving to Paris next month; new number {phone:FR}.",
      'Our Munich office number: {phone:DE}',
      'Fax {phone}',
      'Dial {phone+} from abroad.',
    ],
    card: [
      'The charge on card {card} was reversed.',
      'Billing: {card} (expires 09/28)',
      'Card ending in the full number {card} is blocked.',
      'payment_method: {card}',
    ],
    iban: ['Wire the funds to {iban} today.', 'Beneficiary IBAN {iban}'],
    ssn: ['SSN on the I-9: {ssn}', 'Please confirm the social security number {ssn}.', 'ssn: {ssn9}'],
    ip: [
      'Traffic from {ip} was rate limited.',
      'Add {ip4} to the allow list.',
      'ping {ip4} returned 4 packets',
      'remote_addr={ip}',
      'The attacker used {ip6} as a relay.',
    ],
    secret: [
      'curl -H "Authorization: Bearer {secret:cloud-40}" https://api.example.com/v1/me',
      'AWS_SECRET_ACCESS_KEY={secret:cloud-40}',
      'the api key is {secret}',
      'storage_key: "{secret:azure}"',
      'headers = {"X-Auth-Token": "{secret:cloud-40}"}',
      'SECRET_KEY = "{secret:hex-32}"',
    ],
  },
  'en-GB': {
    phone: ['Give us a ring on {phone}.', 'Mobile {phone} (evenings)', 'The Leeds branch is on {phone}.'],
  },
  fr: {
    phone: [
      'Appelle-moi au {phone} ce soir.',
      'Portable : {phone}',
      'Le secrétariat est joignable au {phone} du lundi au vendredi.',
      'Téléphone fixe : {phone}',
    ],
    card: ['Carte bancaire : {card}', 'Le paiement par carte {card} a échoué.'],
    iban: ['Veuillez effectuer le virement sur {iban:FR}.'],
    ip: ["Le client {ip} n'arrive pas à se connecter."],
  },
  de: {
    phone: [
      'Ruf mich unter {phone} an.',
      'Festnetz: {phone}',
      'Bei Fragen: Telefon {phone}',
      'Mein Handy: {phone}',
    ],
    card: ['Die Karte {card} wurde abgelehnt.'],
    iban: ['Überweisung an {iban:DE}, Verwendungszweck Miete.'],
    ip: ['Anfragen von {ip} werden abgewiesen.'],
    secret: ['Das Token lautet: {secret:cloud-40}'],
  },
  es: {
    phone: ['Mi móvil es el {phone}.', 'Llame al {phone} para pedir cita.', 'Teléfono de contacto: {phone}'],
    card: ['Tarjeta de crédito: {card}'],
    ip: ['Acceso bloqueado desde {ip}.'],
  },
  it: {
    phone: ['Cellulare {phone}, chiamare dopo le 18.', 'Il numero di telefono è {phone}.'],
    card: ['Carta di credito n. {card}'],
  },
  nl: {
    phone: ['Bel ons gerust op {phone}.', 'Mobiel nummer: {phone}'],
    iban: ['Rekeningnummer (IBAN): {iban:NL}'],
  },
  'pt-BR': {
    phone: ['Me liga no {phone}.', 'Contato: {phone} (WhatsApp)', 'Telefone fixo {phone}'],
  },
  'pt-PT': {
    phone: ['Contacte-nos pelo {phone}.'],
  },
  ja: {
    phone: ['携帯電話：{phone}', '代表電話 {phone}（受付 9時〜18時）'],
    email: ['お問い合わせ先：{email}'],
  },
};

type Gen = (r: Rng) => string;
const pad2 = (n: number) => String(n).padStart(2, '0');

export const FRESH_NEGATIVES: Gen[] = [
  (r) => `Build ${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(1000, 9999)} is on the mirror.`,
  (r) =>
    `Clause ${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)} was amended in ${r.int(2010, 2024)}.`,
  (r) => `Invoice no. ${r.digits(10)} is overdue.`,
  (r) =>
    `Account number ${r.digits(8)}, sort code ${pad2(r.int(10, 99))}-${pad2(r.int(10, 99))}-${pad2(r.int(10, 99))}`,
  (r) => `Lot ${r.digits(6)} expires ${pad2(r.int(1, 28))}.${pad2(r.int(1, 12))}.${r.int(2025, 2028)}`,
  (r) => `Serial number ${withLuhn(`4${r.digits(14)}`)} on the back of the unit`,
  (r) => `Order ${formatOrder(r)} confirmed`,
  (r) => `Commit ${r.chars(7, HEX)} bumps the lockfile (sha1 ${r.chars(40, HEX)})`,
  (r) => `Referenz ${r.digits(4)} ${r.digits(4)} ${r.digits(4)}`,
  (r) => `Numéro de facture ${r.digits(3)} ${r.digits(3)} ${r.digits(3)}`,
  (r) => `Card ${cardNumber(r, false).value} failed the Luhn check.`,
  (r) => `The sensor read ${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)} on the four channels.`,
  (r) => `Tracking number ${r.digits(12)} (FedEx)`,
  (r) => `Total ${r.int(1, 9)} ${r.digits(3)} ${r.digits(3)} visitors in ${r.int(2015, 2024)}`,
];

function formatOrder(r: Rng): string {
  return `${r.digits(3)}-${r.digits(7)}-${r.digits(7)}`;
}
