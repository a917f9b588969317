/** Minimal reader for NumPy `.npy` files (version 1/2/3, little-endian float32, C order). */

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = '\x93NUMPY';

/** Parses a `.npy` buffer holding a little-endian float32 C-ordered array. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== MAGIC) throw new Error('not a .npy file (bad magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLength),
  );
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4') throw new Error(`unsupported .npy dtype ${descr ?? '?'} (need <f4)`);
  if (fortran !== 'False') throw new Error('unsupported .npy layout (Fortran order)');
  if (shapeText === undefined) throw new Error('.npy header has no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const size = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  if (bytes.byteLength - dataStart !== size * 4)
    throw new Error('.npy data length does not match its shape');
  // Copy: the data offset is not necessarily 4-byte aligned inside the source buffer.
  // (Node's Buffer#slice does not copy, so copy explicitly.)
  const copy = new Uint8Array(size * 4);
  copy.set(bytes.subarray(dataStart, dataStart + size * 4));
  const data = new Float32Array(copy.buffer);
  return { shape, data };
}
