import { describe, it, expect } from '@jest/globals';
import { countryCode, formatAddress, parseAddress } from './parse-address.js';

describe('parseAddress', () => {
  it.each([
    ['Oranienstraße 25, 10999 Berlin', 'DE', { line1: 'Oranienstraße 25', postalCode: '10999', city: 'Berlin', country: 'DE' }],
    ['Oranienstraße 25 10999 Berlin', 'DE', { line1: 'Oranienstraße 25', postalCode: '10999', city: 'Berlin', country: 'DE' }],
    ['Mariahilfer Straße 45/3\n1060 Wien', 'AT', { line1: 'Mariahilfer Straße 45/3', postalCode: '1060', city: 'Wien', country: 'AT' }],
    ['22 rue de Rivoli, 75004 Paris, France', 'FR', { line1: '22 rue de Rivoli', postalCode: '75004', city: 'Paris', country: 'FR' }],
    ['Calle de Alcalá 100, 3º B, 28009 Madrid', 'ES', { line1: 'Calle de Alcalá 100', line2: '3º B', postalCode: '28009', city: 'Madrid' }],
    ['Calle Mayor 1, 28013, Madrid', 'ES', { line1: 'Calle Mayor 1', postalCode: '28013', city: 'Madrid' }],
    ['Corso Buenos Aires 10, 20124 Milano MI', 'IT', { line1: 'Corso Buenos Aires 10', postalCode: '20124', city: 'Milano MI' }],
    ['Rua Oscar Freire 900, apto 12, 01426-001 São Paulo - SP', 'BR', { line1: 'Rua Oscar Freire 900', line2: 'apto 12', postalCode: '01426-001', city: 'São Paulo', region: 'SP' }],
    ['Rua das Flores 10, 1200-195 Lisboa, Portugal', 'BR', { line1: 'Rua das Flores 10', postalCode: '1200-195', city: 'Lisboa', country: 'PT' }],
    ['350 5th Ave, Apt 12B, New York, NY 10118', 'US', { line1: '350 5th Ave', line2: 'Apt 12B', city: 'New York', region: 'NY', postalCode: '10118', country: 'US' }],
    ['221B Baker Street, London NW1 6XE', 'GB', { line1: '221B Baker Street', city: 'London', postalCode: 'NW1 6XE' }],
    ['1200 rue Sherbrooke O, Montréal QC H3A 1H6', 'CA', { line1: '1200 rue Sherbrooke O', city: 'Montréal', region: 'QC', postalCode: 'H3A 1H6' }],
    ['〒150-0001 東京都渋谷区神宮前5-10-1', 'JP', { region: '東京都', city: '渋谷区', line1: '神宮前5-10-1', postalCode: '150-0001' }],
    ['大阪府大阪市北区梅田3-1-1 530-0001', 'JP', { region: '大阪府', city: '大阪市北区', line1: '梅田3-1-1', postalCode: '530-0001' }],
    ['上海市徐汇区天钥桥路100号 200030', 'CN', { region: '上海市', city: '徐汇区', line1: '天钥桥路100号', postalCode: '200030' }],
    ['广东省深圳市南山区科技园路1号，518057', 'CN', { region: '广东省', city: '深圳市南山区', line1: '科技园路1号', postalCode: '518057' }],
    ['日本 〒150-0001 東京都渋谷区神宮前5-10-1', 'CN', { region: '東京都', city: '渋谷区', postalCode: '150-0001', country: 'JP' }],
    ['臺北市信義區松高路11號 110', 'TW', { region: '臺北市', city: '信義區', line1: '松高路11號', postalCode: '110' }],
  ])('%s', (text, country, expected) => {
    expect(parseAddress(text, 'Ana', country)).toMatchObject({ name: 'Ana', ...expected });
  });

  it.each([['next week'], ['Berlin'], ['10999'], ['Hauptstraße 5']])('refuses %s', (text) => {
    expect(parseAddress(text, 'Ana', 'DE')).toBeUndefined();
  });

  it('knows country names in the launch languages', () => {
    expect(countryCode('Deutschland')).toBe('DE');
    expect(countryCode('Espagne')).toBe('ES');
    expect(countryCode('日本')).toBe('JP');
    expect(countryCode('Brasil')).toBe('BR');
    expect(countryCode('USA')).toBe('US');
    expect(countryCode('NY')).toBeUndefined();
  });

  it('writes the address back in the country’s order', () => {
    const us = parseAddress('350 5th Ave, New York, NY 10118', 'Emily', 'US');
    expect(us && formatAddress(us, 'United States')).toBe('350 5th Ave\nNew York, NY 10118\nUnited States');
    const de = parseAddress('Oranienstraße 25, 10999 Berlin', 'Lena', 'DE');
    expect(de && formatAddress(de, 'Deutschland')).toBe('Oranienstraße 25\n10999 Berlin\nDeutschland');
  });
});
