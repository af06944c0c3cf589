import { PipeTransform } from '@nestjs/common';
import { describeIssues, summarizeIssues } from '@thresh/protocol';
import { z } from 'zod';
import { AppException } from './app.exception';

/**
 * PostgreSQL text cannot hold U+0000; such input is refused at the edge rather than failing in the database.
 * Returns the path of the first field holding one, or undefined.
 */
export function findNulCharacter(value: unknown): string | undefined {
  const path = nulCharacterPath(value, 0);
  return path && (path.join('.') || '(root)');
}

/** The path is built only for a find: this runs over every sample of every batch, so the walk allocates nothing. */
function nulCharacterPath(value: unknown, depth: number): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : undefined;
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = nulCharacterPath(value[index], depth + 1);
      if (found) return [String(index), ...found];
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (key.includes('\u0000')) return [key];
    const found = nulCharacterPath((value as Record<string, unknown>)[key], depth + 1);
    if (found) return [key, ...found];
  }
  return undefined;
}

const NUL_MESSAGE = 'may not contain NUL characters';

/** Validates a body, query or param against its protocol schema at the edge. */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    const nulAt = findNulCharacter(value);
    if (nulAt) throw new AppException('validation_failed', `${nulAt}: ${NUL_MESSAGE}`, [{ path: nulAt, message: NUL_MESSAGE }]);
    const result = this.schema.safeParse(value);
    if (!result.success) {
      throw new AppException('validation_failed', summarizeIssues(result.error), describeIssues(result.error));
    }
    return result.data;
  }
}
