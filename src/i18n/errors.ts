import { errorCode, FishlensError } from '../../shared/errors';
import type { Translate } from '.';

/** Words for any failure: its code's message (`error.<code>`) with its details filled in. */
export function errorMessage(t: Translate, error: unknown): string {
  const details = error instanceof FishlensError ? error.details : {};
  return t(`error.${errorCode(error)}`, {
    file: details.file ?? '',
    status: details.status ?? '',
    names: details.names ?? '',
    outputs: details.outputs ?? '',
    labels: details.labels ?? '',
  });
}
