import { z } from 'zod';

/** The `limit` and `offset` of a listing's query: at most `max` items a page, `fallback` when none is asked for. */
export const pageQuery = (max: number, fallback: number) => ({
  limit: z.coerce.number().int().min(1).max(max).default(fallback),
  offset: z.coerce.number().int().min(0).default(0),
});
