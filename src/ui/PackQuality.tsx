import { useI18n } from '../i18n';
import { outOf } from './out-of';

/** A pack measured on validation fish: share of photos answered "sure", and right when "sure". */
export interface PackQualityView {
  coverage: number;
  accuracy: number;
}

/**
 * "Tested on fish it never saw in training: names a species for about 6 of 10 photos; right 9
 * times in 10 when it does." The same line wherever a pack is offered or listed, so people can
 * compare packs on the device with those not yet downloaded.
 */
export function PackQuality({ sure }: { sure: PackQualityView }) {
  const { t } = useI18n();
  return (
    <p class="pack-quality" data-testid="pack-quality">
      {t('packs.quality.lead')} {t('packs.quality.coverage', outOf(sure.coverage))}{' '}
      {t('packs.quality.accuracy', outOf(sure.accuracy))}
    </p>
  );
}
