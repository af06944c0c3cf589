import { z } from 'zod';

/** Keys an admin can issue; user tokens come from login only. */
export const ISSUABLE_KEY_TYPES = ['agent', 'midtier'] as const;
export type IssuableKeyType = (typeof ISSUABLE_KEY_TYPES)[number];

export const createKeyRequestSchema = z.strictObject({
  type: z.enum(ISSUABLE_KEY_TYPES),
  name: z.string().trim().min(1).max(100),
  expiresAt: z.iso
    .datetime()
    .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
    .optional(),
});
export type CreateKeyRequest = z.infer<typeof createKeyRequestSchema>;

export const keyResponseSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.enum(ISSUABLE_KEY_TYPES),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type KeyResponse = z.infer<typeof keyResponseSchema>;

export const createdKeyResponseSchema = keyResponseSchema.extend({
  /** The plaintext key: returned here once and never again. */
  key: z.string(),
});
export type CreatedKeyResponse = z.infer<typeof createdKeyResponseSchema>;
