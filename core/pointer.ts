/** RFC 6901 JSON pointers: the one way every finding says where it is. */
export const escapeSegment = (segment: string | number): string =>
  String(segment).replace(/~/g, '~0').replace(/\//g, '~1');

export const unescapeSegment = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

export const pointerOf = (...segments: Array<string | number>): string =>
  segments.map((s) => `/${escapeSegment(s)}`).join('');

export const segmentsOf = (pointer: string): string[] =>
  pointer === '' ? [] : pointer.split('/').slice(1).map(unescapeSegment);

/** The value at `pointer`, or undefined when the path does not exist. */
export const valueAt = (doc: unknown, pointer: string): unknown =>
  segmentsOf(pointer).reduce<unknown>(
    (node, seg) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined),
    doc,
  );

/** How every report names the empty pointer, the one that designates the whole body. */
export const WHOLE_BODY = '(whole body)';

/** A pointer as people read it: the empty one by name. */
export const pointerLabel = (pointer: string): string => (pointer === '' ? WHOLE_BODY : pointer);
