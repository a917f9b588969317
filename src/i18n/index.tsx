import { createContext } from 'preact';
import { useContext, useMemo, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { LOCALES, messages, type Locale, type MessageKey } from './messages';

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

/** Looks up `key` in `locale`, falling back to English, and fills `{name}` placeholders. */
export function translate(
  locale: Locale,
  key: MessageKey,
  params?: Record<string, string | number>,
): string {
  const text: string = messages[locale][key] ?? messages.en[key];
  return params
    ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
    : text;
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
