import { useEffect, useState } from 'preact/hooks';
import type { JSX } from 'preact';

/** An <img> of a Blob (a thumbnail kept in IndexedDB); its object URL lives as long as the image. */
export function BlobImage(
  props: { blob: Blob } & Omit<JSX.ImgHTMLAttributes<HTMLImageElement>, 'src'>,
) {
  const { blob, ...attributes } = props;
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const objectUrl = URL.createObjectURL(blob);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [blob]);
  return url ? <img {...attributes} src={url} /> : null;
}
