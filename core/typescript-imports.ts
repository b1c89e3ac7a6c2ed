/**
 * A user's own module (a `--states-module`) may be TypeScript. Run from the sources, the
 * gate is already under tsx; run as the JavaScript `npm pack` compiled, tsx is registered
 * only when such a module is imported, so start-up does not pay for its loader.
 */
let registered = false;

export const allowTypeScriptImport = async (file: string): Promise<void> => {
  if (registered || !/\.[cm]?tsx?$/i.test(file) || import.meta.url.endsWith('.ts')) return;
  const { register } = await import('tsx/esm/api');
  register();
  registered = true;
};
