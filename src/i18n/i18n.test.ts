import { describe, expect, it } from 'vitest';
import { detectLocale, translate } from './index';
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
});
