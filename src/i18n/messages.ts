import { en } from './en';
import { ru } from './ru';

/** Every string the interface shows, per language. Add a key to both tables. */
export const messages = { en, ru } as const;

export type Locale = keyof typeof messages;
export type MessageKey = keyof typeof en;
export const LOCALES = Object.keys(messages) as Locale[];
