import { HttpException } from '@nestjs/common';
import { ERROR_STATUS, ErrorBody, ErrorCode } from '@thresh/protocol';

/** The one exception services throw: a code from the protocol, mapped to its HTTP status by the filter. */
export class AppException extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorBody['issues'],
    readonly hints: { retryAfterSeconds?: number } = {},
  ) {
    super(message, ERROR_STATUS[code]);
  }
}
