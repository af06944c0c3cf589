/** Distinct exit codes so scripts can branch on what went wrong. */
export const EXIT = {
  failure: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  remote: 5,
} as const;
