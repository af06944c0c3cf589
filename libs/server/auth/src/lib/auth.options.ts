export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AuthOptions {
  /** The account the first admin belongs to. */
  account: string;
  adminUsername: string;
  /** When absent, a password is generated and printed once on the first start. */
  adminPassword?: string;
  tokenTtlSeconds: number;
  /** Failed logins one address may make in 5 minutes before it is refused for 5 minutes. */
  loginFailuresPer5Minutes: number;
  /** Failed credential checks one address may make in a minute before it is refused for a minute. */
  credentialFailuresPerMinute: number;
}
