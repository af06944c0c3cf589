import { applyDecorators, HttpCode } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiOperationOptions, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

type OpenApiSchema = Parameters<typeof ApiBody>[0] extends infer O ? (O extends { schema?: infer S } ? S : never) : never;

function toOpenApi(schema: z.ZodType): OpenApiSchema {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' }) as OpenApiSchema;
}

/** Documents a request body in OpenAPI from the same zod schema that validates it, with an example to copy. */
export const ApiZodBody = (schema: z.ZodType, example?: unknown) =>
  ApiBody({ schema: { ...toOpenApi(schema), ...(example === undefined ? {} : { example }) } as OpenApiSchema });

export const ApiZodResponse = (status: number, schema: z.ZodType, description?: string) =>
  applyDecorators(ApiResponse({ status, description, schema: toOpenApi(schema) }));

/**
 * A route's status code, OpenAPI operation and, when it has a body, its response. Listed in the order a stack of these
 * decorators applies (bottom-up), so the OpenAPI document is the one the stack gave.
 */
export const ApiRoute = (status: number, operation: string | ApiOperationOptions, response?: z.ZodType) =>
  applyDecorators(
    ...(response ? [ApiZodResponse(status, response)] : []),
    ApiOperation(typeof operation === 'string' ? { summary: operation } : operation),
    HttpCode(status),
  );
