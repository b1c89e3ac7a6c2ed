import type fc from 'fast-check';
import type { BasisName } from '../core/results.ts';
import type { Case } from './case.ts';
import type { BodySources } from './generators/bodies.ts';

/**
 * Every property the pillar checks, and the generator classes each draws its cases from.
 * A class that cannot be generated against this target (valid custom fields on a real
 * tenant without fixtures) is listed as unavailable, by name, with the reason.
 */
export interface ClassDef {
  name: string;
  arb: fc.Arbitrary<Case>;
  /** The endpoints its cases go to (one, or every endpoint for the hostile inputs). */
  endpoints?: readonly string[];
}

export interface UnavailableClass {
  name: string;
  endpoint?: string;
  reason: string;
}

export interface CaseProperty {
  kind: 'cases';
  name: string;
  title: string;
  /** The catalogue cases (`endpoint/name`) the property's classes draw from. */
  cases: readonly string[];
  /** The basis of the rule the property asserts: the catalogue's, for its cases. */
  basis: BasisName;
  classes(s: BodySources): { classes: ClassDef[]; unavailable: UnavailableClass[] };
}

export interface StatefulProperty {
  kind: 'stateful';
  name: string;
  /** The endpoint whose unique fields the run creates with, fresh and taken. */
  endpoint: string;
  title: string;
  cases: readonly string[];
  basis: BasisName;
  classNames: readonly string[];
}

export type PropertyDef = CaseProperty | StatefulProperty;
