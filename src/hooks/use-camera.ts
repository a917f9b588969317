/**
 * The live camera of the Identify screen: opens the back camera, shows its frames in a <video>,
 * captures one frame as a JPEG, and stops the camera when closed or when the screen goes away.
 */
import type { RefObject } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { FishlensError } from '../../shared/errors';

export interface Camera {
  /** Whether this browser offers a live camera at all. */
  supported: boolean;
  open: boolean;
  /** The live view shows frames (a capture before that would find no pixels). */
  live: boolean;
  video: RefObject<HTMLVideoElement>;
  /** Opens the camera; rejects with `camera-denied` or `camera-unavailable`. */
  start: () => Promise<void>;
  stop: () => void;
  /** Call from the video's `loadeddata`. */
  onFrames: () => void;
  /** The current frame as a JPEG, or undefined when there is no frame yet. */
  capture: () => Promise<Blob | undefined>;
}

export function useCamera(): Camera {
  const [stream, setStream] = useState<MediaStream>();
  const [live, setLive] = useState(false);
  const video = useRef<HTMLVideoElement>(null);

  // Attach the stream to the video element; stop it when closed or on leaving the screen.
  useEffect(() => {
    if (video.current && stream) video.current.srcObject = stream;
    return () => stream?.getTracks().forEach((track) => track.stop());
  }, [stream]);

  const start = useCallback(async () => {
    setLive(false);
    try {
      setStream(
        await navigator.mediaDevices.getUserMedia({
          video: { facingMode: 'environment' },
          audio: false,
        }),
      );
    } catch (failure) {
      console.warn('camera unavailable', failure);
      // NotAllowedError: the person or a policy refused; anything else (no camera, in use): unavailable.
      const denied = failure instanceof DOMException && failure.name === 'NotAllowedError';
      throw new FishlensError(denied ? 'camera-denied' : 'camera-unavailable', String(failure));
    }
  }, []);

  const capture = useCallback(async () => {
    const element = video.current;
    if (!element || element.videoWidth === 0) return undefined;
    const frame = await createImageBitmap(element);
    const canvas = new OffscreenCanvas(frame.width, frame.height);
    canvas.getContext('2d')?.drawImage(frame, 0, 0);
    frame.close();
    return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
  }, []);

  return {
    supported: typeof navigator.mediaDevices?.getUserMedia === 'function',
    open: stream !== undefined,
    live,
    video,
    start,
    stop: () => setStream(undefined),
    onFrames: () => setLive(true),
    capture,
  };
}
