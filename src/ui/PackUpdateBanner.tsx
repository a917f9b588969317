import { useI18n } from '../i18n';
import { formatBytes } from './format';

/** "Update available (v3 → v4, 9 MB)" for each installed pack with a newer registry version; links to Models. */
export function PackUpdateBanner(props: {
  updates: { name: string; installed: number; available: number; sizeBytes: number }[];
}) {
  const { t, locale } = useI18n();
  return (
    <div class="update-prompt pack-update-banner" role="status" data-testid="pack-update-banner">
      {props.updates.map((u) => (
        <a key={u.name} href="/models">
          {u.name}:{' '}
          {t('packs.updateAvailable', {
            from: u.installed,
            to: u.available,
            size: formatBytes(u.sizeBytes, locale),
          })}
        </a>
      ))}
    </div>
  );
}
