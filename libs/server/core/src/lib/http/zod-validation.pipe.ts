import { PipeTransform } from '@nestjs/common';
import { describeIssues, summarizeIssues } from '@thresh/protocol';
import { z } from 'zod';
import { AppException } from './app.exception';

/** Validates a body, query or param against its protocol schema at the edge. */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    const result = this.schema.safeParse(value);
    if (!result.success) {
      throw new AppException('validation_failed', summarizeIssues(result.error), describeIssues(result.error));
    }
    return result.data;
  }
}
