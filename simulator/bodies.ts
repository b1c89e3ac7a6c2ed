import { callerDevuOf, displayIdOf, identityDon, revIdOf } from './ids.ts';

/**
 * The 201 user objects, built from what the request carried, in the documented shapes
 * (rev-user / dev-user of the beta document). Only documented fields appear, so the bodies
 * pass the strict view too; request fields are echoed where the docs say they are stored.
 */
type Json = Record<string, unknown>;

export interface CallerSummary {
  type: 'dev_user';
  id: string;
  display_id: string;
  display_name: string;
  full_name: string;
  email: string;
  state: 'active';
}

/**
 * The caller as a dev user summary. Its number comes from a hash of the token, so a
 * token's text never appears in a body (the canary search for leaked secrets covers responses).
 */
export const callerSummary = (devOrg: string, token: string): CallerSummary => {
  const n = callerDevuOf(token);
  return {
    type: 'dev_user',
    id: identityDon(devOrg, 'devu', n),
    display_id: displayIdOf('devu', n),
    display_name: `api-user-${n}`,
    full_name: `API User ${n}`,
    email: `api-user-${n}@example.org`,
    state: 'active',
  };
};

const str = (v: unknown): v is string => typeof v === 'string';
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every(str);

/** DevRev names a rev user it is given no display name for after a made-up person. */
const GENERATED_NAMES = ['Sheldon', 'Priya', 'Mateo', 'Aiko', 'Noor', 'Lena', 'Tomas', 'Zara'];

export const buildRevUser = (devOrg: string, seq: number, req: Json, caller: CallerSummary, now: string): Json => {
  const short = revIdOf(seq);
  const displayId = displayIdOf('revu', short);
  const user: Json = {
    id: identityDon(devOrg, 'revu', short),
    display_id: displayId,
    created_by: caller,
    created_date: now,
    modified_by: caller,
    modified_date: now,
    display_name: str(req['display_name'])
      ? req['display_name']
      : `Unknown ${GENERATED_NAMES[seq % GENERATED_NAMES.length]}${1000 + (seq % 9000)}`,
    state: 'active',
    is_verified: false,
    // "If none is specified, a system-generated identifier will be assigned": the display id.
    external_ref: str(req['external_ref']) ? req['external_ref'] : displayId,
  };
  if (str(req['email'])) user['email'] = req['email'];
  if (str(req['description'])) user['description'] = req['description'];
  if (strings(req['phone_numbers'])) user['phone_numbers'] = [...req['phone_numbers']];
  if (strings(req['external_refs'])) user['external_refs'] = [...req['external_refs']];
  if (str(req['display_picture'])) user['display_picture'] = { id: req['display_picture'] };
  if (strings(req['artifacts'])) user['artifacts'] = req['artifacts'].map((id) => ({ id }));
  if (strings(req['custom_schema_fragments'])) user['custom_schema_fragments'] = [...req['custom_schema_fragments']];
  if (req['custom_fields'] && typeof req['custom_fields'] === 'object') user['custom_fields'] = req['custom_fields'];
  if (str(req['rev_org'])) user['rev_org'] = { type: 'rev_org', id: req['rev_org'] };
  if (Array.isArray(req['tags'])) {
    user['tags'] = (req['tags'] as Json[]).map((t) => {
      const id = String(t['id']);
      const tag: Json = { tag: { id, name: id.slice(id.lastIndexOf('/') + 1) || id } };
      if (str(t['value'])) tag['value'] = t['value'];
      return tag;
    });
  }
  return user;
};

export const buildDevUser = (devOrg: string, n: number, req: Json, caller: CallerSummary, now: string): Json => {
  const email = String(req['email']);
  const local = email.includes('@') ? email.slice(0, email.indexOf('@')) : email;
  const user: Json = {
    id: identityDon(devOrg, 'devu', n),
    display_id: displayIdOf('devu', n),
    created_by: caller,
    created_date: now,
    modified_by: caller,
    modified_date: now,
    display_name: local.length > 0 ? local : `user-${n}`,
    email,
    state: req['state'],
  };
  if (str(req['full_name'])) user['full_name'] = req['full_name'];
  if (str(req['reports_to'])) user['reports_to'] = { type: 'dev_user', id: req['reports_to'] };
  if (req['custom_fields'] && typeof req['custom_fields'] === 'object') user['custom_fields'] = req['custom_fields'];
  return user;
};
