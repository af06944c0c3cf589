import { PipeTransform } from '@nestjs/common';
import { describeIssues, summarizeIssues } from '@thresh/protocol';
import { z } from 'zod';
import { AppException } from './app.exception';

/**
 * PostgreSQL text cannot hold U+0000; such input is refused at the edge rather than failing in the database.
 * Returns the path of the first field holding one, or undefined.
 */
export function findNulCharacter(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') || '(root)' : undefined;
  if (path.length > 32 || value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = key.includes('\u0000') ? [...path, key].join('.') : findNulCharacter(item, [...path, key]);
    if (found) return found;
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
