import { createContext } from 'preact';
import { useContext, useMemo, useState } from 'preact/hooks';
import type { ComponentChildren, VNode } from 'preact';
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
 * A parameter may be markup (a name in another language, marked as such): the message comes back
 * in pieces, text and that markup in the language's order.
 */
export function translateParts<Node>(
  locale: Locale,
  key: MessageKey,
  params?: Record<string, string | number | Node>,
): (string | Node)[] {
  const text = pluralForm(locale, messages[locale][key] ?? messages.en[key], params?.count);
  if (!params) return [text];
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return text
    .split(/(\{\w+\})/)
    .filter((part) => part !== '')
    .map((part) => {
      const value = /^\{(\w+)\}$/.test(part) ? params[part.slice(1, -1)] : undefined;
      if (value === undefined) return part;
      return typeof value === 'number' ? numbers.format(value) : value;
    });
}

/** `translateParts` with text parameters only: the message as one string. */
export function translate(
  locale: Locale,
  key: MessageKey,
  params?: Record<string, string | number>,
): string {
  return translateParts<never>(locale, key, params).join('');
}

export interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
  /** `t` with markup among the parameters, for a message shown as markup. */
  tm: (key: MessageKey, params: Record<string, string | number | VNode>) => ComponentChildren;
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
      tm: (key, params) => translateParts(locale, key, params),
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
