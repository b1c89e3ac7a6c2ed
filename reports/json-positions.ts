import { escapeToken } from '../api-model/openapi/pointer.ts';

/**
 * Where each value of a JSON text starts, by RFC 6901 pointer: an object member at its
 * key (the line a reader looks for, `"display_name": {`), an array element at its value.
 * Lines and columns are 1-based and count UTF-16 code units, as SARIF's default
 * `columnKind` does. The text is assumed to be valid JSON (it was parsed before).
 */
export interface Position {
  line: number;
  column: number;
}

export const jsonPositions = (text: string): Map<string, Position> => {
  const offsets = new Map<string, number>();
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (pointer: string) => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      while (text[i] !== '}') {
        const at = i;
        const key = string();
        const child = `${pointer}/${escapeToken(key)}`;
        offsets.set(child, at);
        ws();
        i++; // ':'
        value(child);
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
    } else if (c === '[') {
      i++;
      ws();
      let n = 0;
      while (text[i] !== ']') {
        ws();
        const child = `${pointer}/${n++}`;
        offsets.set(child, i);
        value(child);
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
    } else if (c === '"') {
      string();
    } else {
      while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
    }
  };
  ws();
  offsets.set('', i);
  value('');

  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text[k] === '\n') lineStarts.push(k + 1);
  const positions = new Map<string, Position>();
  for (const [pointer, offset] of offsets) {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    positions.set(pointer, { line: lo + 1, column: offset - lineStarts[lo]! + 1 });
  }
  return positions;
};
