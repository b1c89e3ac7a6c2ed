import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
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

export const parseDocumentText = (text: string, file: string): OpenApiDocument => {
  let value: unknown;
  try {
    // Published documents repeat anchors freely; the size limit guards only alias bombs.
    value = parse(text, { maxAliasCount: 10_000, logLevel: 'silent' });
  } catch (e) {
    const first = String((e as Error).message).split('\n')[0];
    throw new UsageError(`${file}: not YAML or JSON (${first})`);
  }
  if (!isObject(value)) throw new UsageError(`${file}: not an OpenAPI document (the top level is not an object)`);
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
