import { valueAt } from '../../core/pointer.ts';
import { type EchoField, endpointModel } from '../endpoints/index.ts';

/**
 * The echo comparison, one for every pillar: which echo fields of the endpoint's model a
 * request set, and whether the created record holds them.
 */
const sameValue = (field: string, sent: unknown, got: unknown): boolean => {
  // Mail systems treat addresses case-insensitively; a provider may normalise the case.
  if (field === 'email' && typeof sent === 'string' && typeof got === 'string') return sent.toLowerCase() === got.toLowerCase();
  if (Array.isArray(sent) && Array.isArray(got)) return JSON.stringify([...sent].sort()) === JSON.stringify([...got].sort());
  return JSON.stringify(sent) === JSON.stringify(got);
};

export interface EchoMismatch {
  echo: EchoField;
  sent: unknown;
  /** undefined when the created record lacks the field. */
  got: unknown;
}

/** Every echo field the request set that the created record does not hold as sent. */
export const echoMismatches = (endpoint: string, sent: unknown, record: unknown): EchoMismatch[] =>
  (endpointModel(endpoint)?.echoed ?? []).flatMap((echo) => {
    const s = valueAt(sent, echo.sent);
    if (s === undefined) return [];
    const got = valueAt(record, echo.answer);
    return got !== undefined && sameValue(echo.field, s, got) ? [] : [{ echo, sent: s, got }];
  });
