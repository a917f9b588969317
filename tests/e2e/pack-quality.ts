/**
 * The quality line a pack's numbers must read as ("Tested on fish it never saw in training: …"),
 * built from `metrics.validation.sure` in its metadata.json, so a spec checks the exact words for
 * whatever numbers the fixture pack carries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface SureNumbers {
  coverage: number;
  accuracy: number;
}

/** `metrics.validation.sure` of the pack in `dir`; a fixture without it is a mistake in the spec. */
export function sureOf(dir: string): SureNumbers {
  const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as {
    metrics?: { validation?: { sure?: SureNumbers } };
  };
  const sure = metadata.metrics?.validation?.sure;
  if (!sure) throw new Error(`${dir}/metadata.json has no metrics.validation.sure`);
  return sure;
}

/** "About 6 of 10", or of 100 when tenths would say all or none of something that is neither. */
function about(share: number): { count: number; total: number } {
  const tenths = Math.round(share * 10);
  if ((tenths === 10 && share < 1) || (tenths === 0 && share > 0))
    return { count: Math.min(99, Math.max(1, Math.round(share * 100))), total: 100 };
  return { count: tenths, total: 10 };
}

/** The exact text of the quality line for `sure` in `locale`. */
export function qualityLine(sure: SureNumbers, locale: 'en' | 'ru'): string {
  const coverage = about(sure.coverage);
  const right = about(sure.accuracy);
  if (locale === 'en') {
    const times = right.count === 1 ? 'time' : 'times';
    return `Tested on fish it never saw in training: names a species for about ${coverage.count} of ${coverage.total} photos; right ${right.count} ${times} in ${right.total} when it does.`;
  }
  const cases = new Intl.PluralRules('ru').select(right.count) === 'one' ? 'случае' : 'случаях';
  return `Проверка на рыбах, которых не было в обучении: называет вид примерно для ${coverage.count} фото из ${coverage.total}; когда называет, прав в ${right.count} ${cases} из ${right.total}.`;
}
