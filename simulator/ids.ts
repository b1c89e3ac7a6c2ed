/**
 * DevRev object names (DONs) and display ids, in the shapes DevRev's docs and real
 * responses show: `don:identity:dvrv-us-1:devo/<org>:revu/<id>` with `REVU-<id>`, and
 * `...:devu/<n>` with `DEVU-<n>`. A display id always names the same object as its DON.
 */
const PARTITION = 'dvrv-us-1';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SPACE = 62 ** 8;
// Coprime with 62^8 (= 2^8 * 31^8), so consecutive numbers map to distinct, scattered ids.
const SCATTER = 2_654_435_761;

/** An eight-character rev user id that looks random but never repeats within 62^8 users. */
export const revIdOf = (seq: number): string => {
  let n = Number((BigInt(seq) * BigInt(SCATTER)) % BigInt(SPACE));
  let out = '';
  for (let i = 0; i < 8; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
};

export const identityDon = (devOrg: string, kind: 'revu' | 'devu', id: string | number) =>
  `don:identity:${PARTITION}:devo/${devOrg}:${kind}/${id}`;

export const displayIdOf = (kind: 'revu' | 'devu', id: string | number) => `${kind === 'revu' ? 'REVU' : 'DEVU'}-${id}`;

/** 32-bit FNV-1a: a stable number per token, so the caller's id says nothing of the token. */
export const fnv1a = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};

/** Callers' dev user numbers live apart from the numbers minted for created dev users. */
export const CALLER_DEVU_BASE = 10_000_000;
export const callerDevuOf = (token: string) => CALLER_DEVU_BASE + (fnv1a(token) % 9_000_000);
