/** Distinct exit codes so scripts can branch on what went wrong. */
export const EXIT = {
  failure: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  remote: 5,
  /** The hub refused because of how things stand (a name in use, a stack still busy): look, then try again. */
  conflict: 6,
} as const;
