/**
 * Escaping shared by the writers. Findings quote what a provider sent back, so any of
 * these strings may hold markup, pipes, quotes or control characters.
 */

// XML 1.0 cannot carry these at all, not even as character references.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const visible = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Text content of an XML element: markup escaped, characters XML forbids shown as \uXXXX. */
export const xmlText = (s: string): string =>
  s.replace(XML_INVALID, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An XML attribute value (double-quoted): also keeps line breaks and tabs as references. */
export const xmlAttr = (s: string): string =>
  xmlText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

/** HTML text or attribute; control characters (a NUL from a provider) shown as \uXXXX. */
export const html = (s: string): string =>
  s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, visible)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** One Markdown table cell: pipes escaped, markup neutralised, one line, bounded length. */
export const mdCell = (s: string, max = 120): string => {
  const oneLine = s.replace(/[\u0000-\u001F\u007F]+/g, ' ').trim();
  const cut = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return cut.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[`*_[\]~]/g, (c) => `\\${c}`);
};

/** A value (expected/actual) as short text: strings as they are, anything else as JSON. */
export const valueText = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** JSON for a <script type="application/json"> element: nothing in it can close the element. */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
