/**
 * A share as "about `count` of `total`" for people: of 10, or of 100 when tenths would say "all"
 * or "none" of something that is neither (0.97 is 97 of 100, not 10 of 10).
 */
export function outOf(share: number): { count: number; total: number } {
  const tenths = Math.round(share * 10);
  if ((tenths === 10 && share < 1) || (tenths === 0 && share > 0))
    return { count: Math.min(99, Math.max(1, Math.round(share * 100))), total: 100 };
  return { count: tenths, total: 10 };
}
