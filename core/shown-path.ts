import { isAbsolute, relative } from 'node:path';

/** A path as a user can find it: relative when it lies under the working folder, as given (absolute) otherwise. */
export const shownPath = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel === '' ? path : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
};
