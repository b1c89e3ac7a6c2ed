import type { TSchema } from '@sinclair/typebox';
import type { EndpointCase } from '../cases/templates.ts';
import type { EndpointSpec } from '../shapes/endpoints.ts';

/**
 * What a create answers is compared with: fields the request set and the created record
 * should hold. `answer` is where the record holds a field the request sets differently (a
 * tag's id sits under `tag`, `reports_to` becomes a user summary).
 */
export interface EchoField {
  field: string;
  /** RFC 6901 pointer into the request body. */
  sent: string;
  /** RFC 6901 pointer into the created record. */
  answer: string;
}

export const plainEcho = (field: string): EchoField => ({ field, sent: `/${field}`, answer: `/${field}` });

/**
 * Everything one create endpoint brings, in one file per endpoint: its documented shapes,
 * its cases with their requests, the fields that must be unique, the fields that reference
 * no tenant record, what a 201 echoes, and how a run removes what it created. Every pillar
 * loops over these; none names an endpoint.
 */
export interface EndpointModel {
  spec: EndpointSpec & { request: TSchema; envelope: string };
  /** Prefix of the property classes of this endpoint (`rev.valid.minimal`). */
  classPrefix: string;
  /** How a run removes a record it created on a real target. */
  cleanup: {
    endpoint: EndpointSpec;
    event: 'removed' | 'deactivated';
    /** A 404 means the record is already gone (a delete), or is a failure (a deactivate). */
    goneOn404: boolean;
    note?: string;
    /** Why a record this cleanup leaves in place remains, as the run's summary says it (a deactivation). */
    remains?: string;
  };
  /** Request fields whose values must be unique per tenant: they carry the run id. */
  uniqueFields: readonly string[];
  /** Fields that reference no tenant record: every target can take them. */
  fixtureFreeFields: readonly string[];
  /** Settled: `assumed` (ECHO_BASIS): no sentence promises the echo; DevRev's own example echoes them. */
  echoed: readonly EchoField[];
  /**
   * Fields of the created record a client reads that the request does not set (when it was
   * made, its state): every contract of a create relies on them, beyond the echo.
   */
  reads: readonly string[];
  cases: readonly EndpointCase[];
}
