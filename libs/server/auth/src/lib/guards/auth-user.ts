import type { UserRole } from '@thresh/protocol';

/** Who is calling, as the user-token strategy resolved it. */
export interface AuthUser {
  userId: string;
  username: string;
  role: UserRole;
  accountId: string;
  account: string;
  tokenId: string;
  /** Where the request came from, for the audit trail. */
  sourceAddress: string | null;
}
