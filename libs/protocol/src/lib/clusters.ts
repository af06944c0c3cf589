import { z } from 'zod';
import { NODE_STATUSES } from './nodes';

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

export const updateClusterRequestSchema = z.strictObject({
  description: z.string().max(500),
});
export type UpdateClusterRequest = z.infer<typeof updateClusterRequestSchema>;

/** A node to add to a cluster: its id, its name, or a unique prefix of its id. */
export const addClusterNodeRequestSchema = z.strictObject({
  node: z.string().min(1).max(64),
});
export type AddClusterNodeRequest = z.infer<typeof addClusterNodeRequestSchema>;

export const clusterNodeSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(NODE_STATUSES),
  lastSeenAt: z.iso.datetime().nullable(),
});
export type ClusterNode = z.infer<typeof clusterNodeSchema>;

/** One cluster with its member nodes, by name. */
export const clusterDetailResponseSchema = clusterResponseSchema.extend({
  nodes: z.array(clusterNodeSchema),
});
export type ClusterDetailResponse = z.infer<typeof clusterDetailResponseSchema>;
