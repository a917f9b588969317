import { describe, expect, it } from 'vitest';
import { detectLocale, translate, translateParts } from './index';
import { ERROR_CODES } from '../../shared/errors';
import { messages } from './messages';

describe('detectLocale', () => {
  it('prefers the saved choice over the browser language', () => {
    expect(detectLocale('ru', ['en-GB'])).toBe('ru');
  });
  it('takes the first browser language we support', () => {
    expect(detectLocale(null, ['de-DE', 'ru-RU', 'en'])).toBe('ru');
  });
  it('falls back to English for unknown languages and ignores a bad saved value', () => {
    expect(detectLocale('xx', ['fr-FR'])).toBe('en');
  });
});

describe('translate', () => {
  it('has every English key in Russian too', () => {
    expect(Object.keys(messages.ru).sort()).toEqual(Object.keys(messages.en).sort());
  });
  it('has words for every error code in both languages', () => {
    for (const code of ERROR_CODES) {
      expect(messages.en).toHaveProperty(`error.${code}`);
      expect(messages.ru).toHaveProperty(`error.${code}`);
    }
  });
  it('returns the Russian text for the Russian locale', () => {
    expect(translate('ru', 'nav.history')).toBe('История');
  });
  it('picks the plural form of the language for {count}', () => {
    expect(translate('en', 'status.pending', { count: 1 })).toBe(
      '1 identification waiting to be sent',
    );
    expect(translate('en', 'status.pending', { count: 3 })).toBe(
      '3 identifications waiting to be sent',
    );
    const body = (count: number) => translate('ru', 'history.clear.body', { count });
    expect(body(1)).toBe('С устройства будет удалено 1 определение.');
    expect(body(3)).toBe('С устройства будут удалены 3 определения.');
    expect(body(5)).toBe('С устройства будут удалены 5 определений.');
    expect(body(21)).toBe('С устройства будет удалено 21 определение.');
  });
  it('counts species in Russian with the noun agreeing, not as "видов: 23"', () => {
    const species = (count: number) => translate('ru', 'packs.species', { count });
    expect([1, 3, 7, 21, 23].map(species)).toEqual([
      '1 вид',
      '3 вида',
      '7 видов',
      '21 вид',
      '23 вида',
    ]);
    expect(translate('ru', 'identify.pack.species', { count: 7 })).toBe('· 7 видов');
    expect(translate('ru', 'result.unknown.knows', { title: 'Рыбы рифов', count: 23 })).toBe(
      '«Рыбы рифов» знает 23 вида, и это фото не похоже ни на один из них.',
    );
  });
  it('writes numbers the language’s way', () => {
    expect(translate('ru', 'status.pending', { count: 12345 })).toBe('Ждут отправки: 12\u00a0345');
    expect(translate('en', 'status.pending', { count: 12345 })).toMatch(/^12,345 /);
  });
  it('has every plural form Russian needs wherever a message has plural forms', () => {
    for (const [key, message] of Object.entries(messages.ru)) {
      if (typeof message === 'string') continue;
      expect(Object.keys(message).sort(), key).toEqual(['few', 'many', 'one', 'other']);
    }
    for (const [key, message] of Object.entries(messages.en)) {
      if (typeof message === 'string') continue;
      expect(Object.keys(message).sort(), key).toEqual(['one', 'other']);
    }
  });
});

describe('translateParts', () => {
  it('puts markup parameters where the language puts them, text and numbers filled in', () => {
    const name = { marked: 'Acanthurus nigrofuscus' };
    expect(translateParts('ru', 'history.maybe', { name })).toEqual(['Возможно, ', name]);
    expect(translateParts('en', 'history.maybe', { name })).toEqual(['Maybe ', name]);
    expect(translateParts('ru', 'status.pending', { count: 12345 }).join('')).toBe(
      translate('ru', 'status.pending', { count: 12345 }),
    );
  });
  it('leaves a placeholder without a value as it is', () => {
    expect(translateParts('en', 'history.maybe', {})).toEqual(['Maybe ', '{name}']);
  });
});
