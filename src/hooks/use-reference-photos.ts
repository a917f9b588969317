/**
 * The reference photos of every species of a pack, read from the installed pack (they came with
 * it, verified) as object URLs for <img>, by label id. Read once per pack version; revoked when
 * the pack changes or the screen goes.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Label, PackRef } from '../../shared/pack';
import { readPackFile } from '../registry/pack-store';
import type { ReferencePhotoView } from '../ui/ReferencePhotos';

export type ReferencePhotosByLabel = ReadonlyMap<string, ReferencePhotoView[]>;

const NONE: ReferencePhotosByLabel = new Map();

export function useReferencePhotos(
  pack: PackRef | undefined,
  labels: readonly Label[],
): ReferencePhotosByLabel {
  const [photos, setPhotos] = useState(NONE);
  const key = pack ? `${pack.name}\n${pack.version}` : '';
  useEffect(() => {
    if (!pack) return;
    let live = true;
    const urls: string[] = [];
    void (async () => {
      const out = new Map<string, ReferencePhotoView[]>();
      for (const label of labels) {
        const shown: ReferencePhotoView[] = [];
        for (const reference of label.references ?? []) {
          const blob = await readPackFile(pack, reference.path).catch(() => undefined);
          if (!live) return;
          if (!blob) continue; // not stored (a damaged pack): show the others
          // Stored without a type; <img> recognises the image by its bytes.
          const url = URL.createObjectURL(blob);
          urls.push(url);
          shown.push({ ...reference, url });
        }
        if (shown.length > 0) out.set(label.id, shown);
      }
      setPhotos(out);
    })();
    return () => {
      live = false;
      urls.forEach((url) => URL.revokeObjectURL(url));
      setPhotos(NONE);
    };
  }, [key]); // `key` stands for the pack version, whose labels never change
  return photos;
}
