/**
 * Check-digit algorithms behind PII detection. A shape alone (16 digits, 8 digits and a letter) matches
 * order numbers and SKUs far too often; the check digit is what makes a match worth redacting.
 * Every function takes the compact value (no spaces or punctuation) and never throws.
 */

/** Luhn (mod 10), used by every payment card scheme. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The card scheme an IIN prefix and length belong to, or undefined when no known scheme issues it. */
export function cardScheme(digits: string): string | undefined {
  const len = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  // 13-digit Visa and Maestro are left out on purpose: they are obsolete, and EAN-13 product codes
  // (a German one starts with 40-44) would pass Luhn one time in ten.
  if (digits[0] === '4') return len === 16 || len === 19 ? 'visa' : undefined;
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && len === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && len === 15) return 'amex';
  if (p4 >= 2200 && p4 <= 2204 && len >= 16 && len <= 19) return 'mir';
  if ((p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) && len >= 16 && len <= 19) return 'discover';
  if (p4 >= 3528 && p4 <= 3589 && len >= 16 && len <= 19) return 'jcb';
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && len >= 14 && len <= 19) return 'diners';
  if (p2 === 62 && len >= 16 && len <= 19) return 'unionpay';
  if ((p2 === 50 || (p2 >= 56 && p2 <= 69)) && len >= 16 && len <= 19) return 'maestro';
  return undefined;
}

/** IBAN length per country (ISO 13616 registry). A country not listed is not treated as an IBAN. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20,
};

/** ISO 7064 mod 97-10 over the rearranged IBAN (country and check digits moved to the end, A=10 … Z=35). */
export function ibanValid(iban: string): boolean {
  const compact = iban.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  if (IBAN_LENGTHS[compact.slice(0, 2)] !== compact.length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    // Two-digit letter values shift by 100, digits by 10; the remainder stays far below 2^53.
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI (12345678Z) and NIE (X1234567L): the letter is the number mod 23. */
export function spanishIdValid(id: string): boolean {
  const upper = id.toUpperCase();
  const match = /^([XYZ]?)(\d{7,8})([A-Z])$/.exec(upper);
  if (!match) return false;
  const [, nie, digits, letter] = match as unknown as [string, string, string, string];
  if (nie ? digits.length !== 7 : digits.length !== 8) return false;
  const number = Number(`${nie ? 'XYZ'.indexOf(nie) : ''}${digits}`);
  return DNI_LETTERS[number % 23] === letter;
}

// Values of the odd (1st, 3rd, …) characters of a codice fiscale, for 0-9 then A-Z.
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Italian codice fiscale: 16 characters whose last letter is a weighted sum of the first 15, mod 26. */
export function codiceFiscaleValid(code: string): boolean {
  const upper = code.toUpperCase();
  if (!/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(upper)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = upper[i]!;
    const index = ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 55;
    // Position 1 in the spec is index 0 here: "odd" positions are the even indexes.
    sum += i % 2 === 0 ? CF_ODD[index]! : ch <= '9' ? index : index - 10;
  }
  return String.fromCharCode(65 + (sum % 26)) === upper[15];
}

/** Portuguese NIF/NIPC: 9 digits, weights 9..2, check = 11 - sum mod 11 (0 when that is 10 or 11). */
export function portugueseNifValid(digits: string): boolean {
  if (!/^[1235689]\d{8}$|^(?:45|7[0-9])\d{7}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
  const r = sum % 11;
  return (r < 2 ? 0 : 11 - r) === Number(digits[8]);
}

/** Brazilian CPF: 11 digits with two mod-11 check digits; repeated digits (111.111.111-11) pass the math but are not issued. */
export function cpfValid(digits: string): boolean {
  if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
  const check = (length: number): number => {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += Number(digits[i]) * (length + 1 - i);
    return ((sum * 10) % 11) % 10;
  };
  return check(9) === Number(digits[9]) && check(10) === Number(digits[10]);
}

/**
 * German Steuerliche Identifikationsnummer: 11 digits, no leading 0; in the first ten exactly one digit
 * occurs two or three times (never three in a row); the last is an ISO 7064 MOD 11,10 check digit.
 */
export function germanTaxIdValid(digits: string): boolean {
  if (!/^[1-9]\d{10}$/.test(digits)) return false;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++) counts[Number(digits[i])]!++;
  const repeated = counts.filter((count) => count > 1);
  if (repeated.length !== 1 || repeated[0]! > 3) return false;
  if (/(\d)\1\1/.test(digits.slice(0, 10))) return false;
  let product = 10;
  for (let i = 0; i < 10; i++) {
    let sum = (Number(digits[i]) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = (11 - product) % 10;
  return check === Number(digits[10]);
}

/**
 * French NIR (numéro de sécurité sociale): sex, year, month, département (2A/2B for Corsica), commune,
 * order, then a key = 97 - (first 13 digits mod 97), Corsica counted as 19/18.
 */
export function frenchNirValid(nir: string): boolean {
  const upper = nir.toUpperCase();
  const match = /^([1-478])(\d{2})(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2[AB])(\d{3})(\d{3})(\d{2})$/.exec(upper);
  if (!match) return false;
  const department = match[4]!.replace('2A', '19').replace('2B', '18');
  const body = Number(`${match[1]}${match[2]}${match[3]}${department}${match[5]}${match[6]}`);
  return 97 - (body % 97) === Number(match[7]);
}

const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_CHECK = '10X98765432';

/** Chinese resident identity card: 17 digits (region, birth date, sequence) and an ISO 7064 MOD 11-2 check character. */
export function chineseIdValid(id: string): boolean {
  const upper = id.toUpperCase();
  const match = /^[1-9]\d{5}((?:18|19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$/.exec(upper);
  if (!match) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(upper[i]) * CN_WEIGHTS[i]!;
  return CN_CHECK[sum % 11] === upper[17];
}

/** Japanese My Number (個人番号): 12 digits; the last is 11 - Σ(Pn×Qn) mod 11 (0 when that is 10 or 11). */
export function myNumberValid(digits: string): boolean {
  if (!/^\d{12}$/.test(digits)) return false;
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = Number(digits[11 - n]);
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  return (r <= 1 ? 0 : 11 - r) === Number(digits[11]);
}

/** US Social Security number shape: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function ssnShapeValid(digits: string): boolean {
  const match = /^(\d{3})(\d{2})(\d{4})$/.exec(digits);
  if (!match) return false;
  const [, area, group, serial] = match as unknown as [string, string, string, string];
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}
