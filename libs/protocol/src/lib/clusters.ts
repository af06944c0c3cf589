import { z } from 'zod';

export const clusterNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and "-" only, starting with a letter or digit');

export const createClusterRequestSchema = z.strictObject({
  name: clusterNameSchema,
  description: z.string().max(500).default(''),
});
export type CreateClusterRequest = z.infer<typeof createClusterRequestSchema>;

export const clusterResponseSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  nodeCount: z.number().int(),
  createdAt: z.iso.datetime(),
});
export type ClusterResponse = z.infer<typeof clusterResponseSchema>;
