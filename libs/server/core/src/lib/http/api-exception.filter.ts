import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ERROR_CODES, ErrorBody, ErrorCode } from '@thresh/protocol';
import type { Response } from 'express';
import { databaseUnavailable, isDatabaseUnavailable } from '../database/database-unavailable';
import { AppException } from './app.exception';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'validation_failed',
  415: 'validation_failed',
  429: 'rate_limited',
  503: 'hub_unavailable',
};

/** Every HTTP error leaves in the same shape: { statusCode, code, message, issues? }. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(caught: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    const exception = isDatabaseUnavailable(caught) ? databaseUnavailable() : caught;
    const body = this.toBody(exception);
    const retryAfter = exception instanceof AppException ? exception.hints.retryAfterSeconds : undefined;
    if (retryAfter) response.setHeader('Retry-After', String(retryAfter));
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof AppException) {
      return { statusCode: exception.getStatus(), code: exception.code, message: exception.message, issues: exception.issues };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const code = CODE_BY_STATUS[statusCode] ?? (statusCode >= 500 ? 'internal' : 'validation_failed');
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response && 'message' in response
          ? [response.message].flat().join('; ')
          : exception.message;
      return { statusCode, code, message };
    }
    // Body-parser errors carry a status of their own (malformed JSON, payload too large).
    const status = (exception as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { statusCode: status, code: CODE_BY_STATUS[status] ?? 'validation_failed', message: (exception as Error).message };
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return { statusCode: 500, code: ERROR_CODES[ERROR_CODES.length - 1], message: 'Internal server error' };
  }
}
