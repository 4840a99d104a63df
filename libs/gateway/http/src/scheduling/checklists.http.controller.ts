import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { SCHEDULING_PATTERNS } from '@custodian/scheduling/contracts';
import { Requires } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { SchedulingClient } from './scheduling.client';
import { ChecklistDto, ChecklistPageDto, ChecklistParamsDto, ChecklistQueryDto, ChecklistRequestDto, ListChecklistsQueryDto } from './scheduling.dto';

/** Versioned task templates per area kind (module `scheduling`; changes need it on all locations). */
@ApiTags('checklists')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto })
@Controller('v1/checklists')
export class ChecklistsHttpController {
  constructor(private readonly scheduling: SchedulingClient) {}

  @Post()
  @HttpCode(201)
  @Requires('scheduling', 'manage')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Create a checklist (version 1)' })
  @ApiResponse({ status: 201, type: ChecklistDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  create(@Body() body: ChecklistRequestDto, @Req() req: FastifyRequest): Promise<ChecklistDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.createChecklist, { name: body.name, areaKind: body.areaKind, tasks: body.tasks.map((t) => ({ ...t })) }, requestMeta(req));
  }

  @Put(':id')
  @Requires('scheduling', 'manage')
  @ApiOperation({ summary: 'Revise a checklist: a whole new version. Shifts keep the version they were scheduled with.' })
  @ApiResponse({ status: 200, type: ChecklistDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  revise(@Param() params: ChecklistParamsDto, @Body() body: ChecklistRequestDto, @Req() req: FastifyRequest): Promise<ChecklistDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.reviseChecklist, { checklistId: params.id, name: body.name, areaKind: body.areaKind, tasks: body.tasks.map((t) => ({ ...t })) }, requestMeta(req));
  }

  @Get()
  @Requires('scheduling', 'read')
  @ApiOperation({ summary: 'Latest versions of the tenant’s checklists' })
  @ApiResponse({ status: 200, type: ChecklistPageDto })
  list(@Query() query: ListChecklistsQueryDto, @Req() req: FastifyRequest): Promise<ChecklistPageDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.listChecklists, { ...query }, requestMeta(req));
  }

  @Get(':id')
  @Requires('scheduling', 'read')
  @ApiOperation({ summary: 'A checklist: the latest version, or ?version=n' })
  @ApiResponse({ status: 200, type: ChecklistDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  get(@Param() params: ChecklistParamsDto, @Query() query: ChecklistQueryDto, @Req() req: FastifyRequest): Promise<ChecklistDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.getChecklist, { checklistId: params.id, ...(query.version !== undefined ? { version: query.version } : {}) }, requestMeta(req));
  }
}
