/** RFC 6901 helpers for `$ref` values inside one document (`#/components/...`). */

export const escapeToken = (t: string): string => t.replace(/~/g, '~0').replace(/\//g, '~1');
export const unescapeToken = (t: string): string => t.replace(/~1/g, '/').replace(/~0/g, '~');

export const pointerOf = (tokens: readonly string[]): string => tokens.map((t) => `/${escapeToken(t)}`).join('');

/** Tokens of a local `$ref` (`#/a/b~1c` → ['a', 'b/c']); null for refs into other files. */
export const refTokens = (ref: string): string[] | null => {
  if (!ref.startsWith('#')) return null;
  const p = ref.slice(1);
  if (p === '') return [];
  if (!p.startsWith('/')) return null;
  return p.slice(1).split('/').map((t) => unescapeToken(decodeURIComponent(t)));
};

/** The value at `tokens`, or undefined when any step is missing. */
export const at = (root: unknown, tokens: readonly string[]): unknown => {
  let v: unknown = root;
  for (const t of tokens) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, t)) return undefined;
    v = (v as Record<string, unknown>)[t];
  }
  return v;
};
