import type { EntityManager } from 'typeorm';

/** One database transaction, handed by a service to the repositories (of several domains) that must commit together. */
export type Transaction = EntityManager;
