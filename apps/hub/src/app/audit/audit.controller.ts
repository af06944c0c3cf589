import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditService } from '@thresh/server-audit';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
import { AuditListResponse, auditListResponseSchema, AuditQuery, auditQuerySchema } from '@thresh/protocol';

@ApiTags('audit')
@Controller('audit')
@Authenticated('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail, newest first; filter by action, actor and time (since, until)' })
  @ApiZodResponse(200, auditListResponseSchema)
  list(@CurrentUser() admin: AuthUser, @Query(new ZodValidationPipe(auditQuerySchema)) query: AuditQuery): Promise<AuditListResponse> {
    return this.audit.list(admin.accountId, query);
  }
}
