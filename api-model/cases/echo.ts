import { valueAt } from '../../core/pointer.ts';
import type { CreateEndpointName } from '../shapes/endpoints.ts';
import { ECHOED_FIELDS, type EchoField } from './catalogue.ts';

/**
 * The echo comparison, one for every pillar: which catalogue echo fields a request set,
 * and whether the created user holds them.
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
  /** undefined when the created user lacks the field. */
  got: unknown;
}

/** Every echo field the request set that the created user does not hold as sent. */
export const echoMismatches = (endpoint: CreateEndpointName, sent: unknown, user: unknown): EchoMismatch[] =>
  (ECHOED_FIELDS[endpoint] as readonly EchoField[]).flatMap((echo) => {
    const s = valueAt(sent, echo.sent);
    if (s === undefined) return [];
    const got = valueAt(user, echo.answer);
    return got !== undefined && sameValue(echo.field, s, got) ? [] : [{ echo, sent: s, got }];
  });
