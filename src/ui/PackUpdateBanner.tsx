import type { PackDisplay } from '../../shared/pack';
import { useI18n } from '../i18n';
import { formatBytes } from './format';
import { packTitle } from './names';

/** "River fish: new version 4 available (9 MB)." for each installed pack the registry has newer; links to Models. */
export function PackUpdateBanner(props: {
  updates: { name: string; display?: PackDisplay; available: number; sizeBytes: number }[];
}) {
  const { t, locale } = useI18n();
  return (
    <div class="update-prompt pack-update-banner" role="status" data-testid="pack-update-banner">
      {props.updates.map((u) => (
        <a key={u.name} href="/models">
          {packTitle({ ...u, description: '' }, locale)}:{' '}
          {t('packs.updateAvailable', {
            version: u.available,
            size: formatBytes(u.sizeBytes, locale),
          })}
        </a>
      ))}
    </div>
  );
}
