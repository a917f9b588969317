import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n';
import { LOCALES, type Locale, type MessageKey } from '../i18n/messages';

export interface NavItem {
  href: string;
  label: MessageKey;
  icon: string;
}

export const NAV_ITEMS: NavItem[] = [
  { href: '/', label: 'nav.identify', icon: '◎' },
  { href: '/history', label: 'nav.history', icon: '☰' },
  { href: '/models', label: 'nav.models', icon: '⬇' },
  { href: '/status', label: 'nav.status', icon: '◔' },
];

const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', ru: 'Русский' };

/** The frame of every screen: a header, the current screen, and the navigation bar. */
export function Layout(props: {
  path: string;
  online: boolean;
  banner?: ComponentChildren;
  children: ComponentChildren;
}) {
  const { t, locale, setLocale } = useI18n();
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header class="app-header">
        <div class="brand">
          <img src="/icons/icon.svg" alt="" width="32" height="32" />
          <div>
            <span class="brand-name">{t('app.name')}</span>
            <span class="brand-tagline">{t('app.tagline')}</span>
          </div>
        </div>
        <label class="language">
          <span class="visually-hidden">{t('language.label')}</span>
          <select
            value={locale}
            onChange={(event) => setLocale(event.currentTarget.value as Locale)}
          >
            {LOCALES.map((code) => (
              <option key={code} value={code} lang={code}>
                {LANGUAGE_NAMES[code]}
              </option>
            ))}
          </select>
        </label>
      </header>
      {!props.online && (
        <p class="offline-banner" role="status" data-testid="offline-banner">
          {t('status.offline')}
        </p>
      )}
      {props.banner}
      <main id="main" class="screen" tabIndex={-1}>
        {props.children}
      </main>
      <nav class="tab-bar" aria-label={t('nav.label')}>
        {NAV_ITEMS.map((item) => {
          // A screen's own pages (/history/:id) keep its tab current.
          const current =
            props.path === item.href ||
            (item.href !== '/' && props.path.startsWith(`${item.href}/`));
          return (
            <a
              key={item.href}
              href={item.href}
              class={current ? 'tab current' : 'tab'}
              aria-current={current ? 'page' : undefined}
            >
              <span class="tab-icon" aria-hidden="true">
                {item.icon}
              </span>
              <span>{t(item.label)}</span>
            </a>
          );
        })}
      </nav>
    </div>
  );
}
