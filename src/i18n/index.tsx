import { createContext } from 'preact';
import { useContext, useMemo, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { LOCALES, messages, type Locale, type Message, type MessageKey } from './messages';

const STORAGE_KEY = 'fishlens.locale';

/** The user's saved choice, else the first browser language we have, else English. */
export function detectLocale(saved: string | null, browserLanguages: readonly string[]): Locale {
  if (saved && (LOCALES as string[]).includes(saved)) return saved as Locale;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0];
    if (base && (LOCALES as string[]).includes(base)) return base as Locale;
  }
  return 'en';
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The words of `message` for `count`: its plural form for this language (Intl.PluralRules). */
function pluralForm(locale: Locale, message: Message, count: unknown): string {
  if (typeof message === 'string') return message;
  const form = new Intl.PluralRules(locale).select(typeof count === 'number' ? count : 0);
  return message[form] ?? message.other;
}

/**
 * Looks up `key` in `locale`, falling back to English, picks the plural form for `params.count`,
 * and fills `{name}` placeholders; numbers are written the language's way (1 234 in Russian).
 */
export function translate(
  locale: Locale,
  key: MessageKey,
  params?: Record<string, string | number>,
): string {
  const text = pluralForm(locale, messages[locale][key] ?? messages.en[key], params?.count);
  if (!params) return text;
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) return `{${name}}`;
    return typeof value === 'number' ? numbers.format(value) : value;
  });
}

interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

function readSavedLocale(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage blocked (private mode): fall back to the browser language
  }
}

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [locale, setLocaleState] = useState<Locale>(() =>
    detectLocale(readSavedLocale(), navigator.languages ?? [navigator.language]),
  );
  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale: (next) => {
        setLocaleState(next);
        document.documentElement.lang = next;
        try {
          localStorage.setItem(STORAGE_KEY, next);
        } catch {
          /* the choice then lasts for this visit only */
        }
      },
      t: (key, params) => translate(locale, key, params),
    }),
    [locale],
  );
  document.documentElement.lang = locale;
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n() outside <I18nProvider>');
  return value;
}
