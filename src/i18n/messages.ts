import { en } from './en';
import { ru } from './ru';

/**
 * Words that depend on a number: one form per plural category of the language (Intl.PluralRules:
 * English uses `one` and `other`; Russian `one`, `few`, `many` and `other`). `{count}` is the number.
 */
export type PluralMessage = Readonly<
  Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }
>;
export type Message = string | PluralMessage;

/** Every string the interface shows, per language. Add a key to both tables. */
export const messages = { en, ru } as const;

export type Locale = keyof typeof messages;
export type MessageKey = keyof typeof en;
export const LOCALES = Object.keys(messages) as Locale[];
