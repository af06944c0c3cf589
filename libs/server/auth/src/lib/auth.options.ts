export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AuthOptions {
  /** The account the first admin belongs to. */
  account: string;
  adminUsername: string;
  /** When absent, a password is generated and printed once on the first start. */
  adminPassword?: string;
  tokenTtlSeconds: number;
}
