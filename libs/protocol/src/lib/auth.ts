import { z } from 'zod';

export const USER_ROLES = ['admin', 'operator', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const usernameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits, ".", "_", "@" and "-" only');
export const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(1024);

export const loginRequestSchema = z.strictObject({
  username: usernameSchema,
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const userResponseSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  role: z.enum(USER_ROLES),
  account: z.string(),
});
export type UserResponse = z.infer<typeof userResponseSchema>;

export const loginResponseSchema = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime(),
  user: userResponseSchema,
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** POST /api/auth/session, the dashboard's login: the token went into an httpOnly cookie, so it is not in the answer. */
export const sessionResponseSchema = loginResponseSchema.omit({ token: true });
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const userSummarySchema = userResponseSchema.extend({
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export const createUserRequestSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  role: z.enum(USER_ROLES),
});
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

export const updateUserRequestSchema = z
  .strictObject({
    role: z.enum(USER_ROLES).optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
  })
  .refine((update) => Object.keys(update).length > 0, 'give at least one of role, disabled, password');
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;
