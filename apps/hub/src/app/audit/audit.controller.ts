import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuditService } from '@thresh/server-audit';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiRoute, ZodValidationPipe } from '@thresh/server-core';
import { AuditListResponse, auditListResponseSchema, AuditQuery, auditQuerySchema } from '@thresh/protocol';

@ApiTags('audit')
@Controller('audit')
@Authenticated('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiRoute(200, 'The audit trail, newest first; filter by action, actor and time (since, until)', auditListResponseSchema)
  list(@CurrentUser() admin: AuthUser, @Query(new ZodValidationPipe(auditQuerySchema)) query: AuditQuery): Promise<AuditListResponse> {
    return this.audit.list(admin.accountId, query);
  }
}
