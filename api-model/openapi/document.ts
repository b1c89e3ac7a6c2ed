import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import yaml from 'js-yaml';
import { UsageError } from '../../core/errors.ts';

/** A parsed OpenAPI document: plain JSON values, nothing resolved yet. */
export type OpenApiDocument = Record<string, unknown> & { openapi: string; paths: Record<string, unknown> };

export interface LoadedDocument {
  file: string;
  doc: OpenApiDocument;
  /** sha256 of the file's bytes: identifies the document when no commit is known. */
  sha256: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a DevRev OpenAPI document as DevRev publishes it (YAML, or JSON, which YAML
 * parses too). Every way the file can be wrong is one line naming the file and the fault,
 * so `spec` commands can exit 2 without a stack.
 */
export const loadDocument = (file: string): LoadedDocument => {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot read (${code ?? e})`}`);
  }
  const doc = parseDocumentText(bytes.toString('utf8'), file);
  return { file, doc, sha256: createHash('sha256').update(bytes).digest('hex') };
};

/** JSON parses far faster as JSON; a file that only looks like JSON is still YAML. */
const parseJsonOrYaml = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA });
  }
};

/** More values than any published document holds by far (DevRev's beta: about 200,000). */
export const MAX_EXPANDED_VALUES = 5_000_000;

/**
 * YAML aliases come back as shared objects: cheap to hold, but every walk over the
 * document (and the slice's JSON text) expands them. A few lines of nested aliases (an
 * "alias bomb") expand to billions of values, so the expanded size is counted first, once
 * per shared object.
 */
const checkExpansion = (root: unknown, file: string): void => {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  const size = (v: unknown): number => {
    if (typeof v !== 'object' || v === null) return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    if (open.has(v)) throw new UsageError(`${file}: a YAML alias contains itself`);
    open.add(v);
    let n = 1;
    for (const x of Object.values(v)) {
      n += size(x);
      if (n > MAX_EXPANDED_VALUES) break;
    }
    open.delete(v);
    sizes.set(v, n);
    return n;
  };
  let total: number;
  try {
    total = size(root);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`${file}: nested too deeply to be an OpenAPI document`);
    throw e;
  }
  if (total > MAX_EXPANDED_VALUES) throw new UsageError(`${file}: YAML aliases expand to more than ${MAX_EXPANDED_VALUES.toLocaleString('en')} values (an alias bomb?)`);
};

export const parseDocumentText = (text: string, file: string): OpenApiDocument => {
  let value: unknown;
  try {
    // js-yaml, not `yaml`: a whole published document (~1.6 MB) parses in a tenth of the
    // time. CORE_SCHEMA keeps dates as strings, as JSON has them.
    value = text.trimStart().startsWith('{') ? parseJsonOrYaml(text) : yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (e) {
    const err = e as { reason?: string; mark?: { line: number; column: number }; message?: string };
    const where = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
    const first = err.reason ?? String(err.message).split('\n')[0];
    throw new UsageError(`${file}: not YAML or JSON (${first}${where})`);
  }
  if (!isObject(value)) throw new UsageError(`${file}: not an OpenAPI document (the top level is not an object)`);
  checkExpansion(value, file);
  const version = value['openapi'];
  if (typeof version !== 'string' || !/^3\.\d+\.\d+/.test(version)) {
    const swagger = value['swagger'];
    throw new UsageError(
      `${file}: not OpenAPI 3 (${swagger !== undefined ? `swagger ${String(swagger)}` : version === undefined ? 'no "openapi" field' : `openapi ${JSON.stringify(version)}`})`,
    );
  }
  if (!isObject(value['paths'])) throw new UsageError(`${file}: not an OpenAPI document (no "paths" object)`);
  return value as OpenApiDocument;
};

export const describeSource = (d: LoadedDocument): string => `${basename(d.file)} sha256:${d.sha256.slice(0, 12)}`;
