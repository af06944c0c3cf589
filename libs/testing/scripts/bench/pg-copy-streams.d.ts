// pg-copy-streams ships no types: the two query streams the bench uses.
declare module 'pg-copy-streams' {
  import type { Submittable } from 'pg';
  import type { Readable, Writable } from 'node:stream';
  export function from(text: string): Submittable & Writable;
  export function to(text: string): Submittable & Readable;
}
