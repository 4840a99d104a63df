import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { RECORDS_PATTERNS, type RecordView } from '@custodian/records/contracts';
import { Requires } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { RecordsClient } from './records.client';
import {
  ClockEvidenceDto,
  CompleteTaskRequestDto,
  CorrectRequestDto,
  GetRecordQueryDto,
  HistoryResponseDto,
  InspectRequestDto,
  ListRecordsQueryDto,
  RecordExportDto,
  RecordIdParamsDto,
  RecordPageDto,
  RecordViewDto,
  ReportIssueRequestDto,
  StartRecordRequestDto,
  VerifyResponseDto,
} from './records.dto';

const NOT_FOUND = "Absent, in another tenant, or at a location outside your records scope (indistinguishable)";

/** Cleaning records: evidence at capture, corrections as events, history and verification (module `records`). */
@ApiTags('records')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto })
@Controller('v1/records')
export class RecordsHttpController {
  constructor(private readonly records: RecordsClient) {}

  @Post()
  @HttpCode(201)
  @Requires('records', 'write', { usersOnly: true })
  @ApiOperation({ summary: 'Clock in on a shift you are assigned to: starts your record; the evidence is judged and flagged (or refused) at capture' })
  @ApiResponse({ status: 201, type: RecordViewDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'unknown_scan_code, missing_geo, time_in_future' })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: 'not_assigned' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'already_clocked_in' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'outside_geofence (refuse policy), shift_cancelled' })
  start(@Body() body: StartRecordRequestDto, @Req() req: FastifyRequest): Promise<RecordView> {
    return this.records.send(RECORDS_PATTERNS.start, { shiftId: body.shiftId, clockIn: clock(body.clockIn) }, requestMeta(req));
  }

  @Post(':id/tasks')
  @HttpCode(200)
  @Requires('records', 'write', { usersOnly: true })
  @ApiOperation({ summary: "Complete a task of the shift's checklist version in one of its areas" })
  @ApiResponse({ status: 200, type: RecordViewDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'task_not_in_checklist, area_not_in_checklist, area_not_in_location, time_in_future' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'task_already_completed' })
  completeTask(@Param() params: RecordIdParamsDto, @Body() body: CompleteTaskRequestDto, @Req() req: FastifyRequest): Promise<RecordView> {
    return this.records.send(RECORDS_PATTERNS.completeTask, { recordId: params.id, ...body }, requestMeta(req));
  }

  @Post(':id/issues')
  @HttpCode(200)
  @Requires('records', 'write', { usersOnly: true })
  @ApiOperation({ summary: 'Report an issue found on site (description stored encrypted)' })
  @ApiResponse({ status: 200, type: RecordViewDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  reportIssue(@Param() params: RecordIdParamsDto, @Body() body: ReportIssueRequestDto, @Req() req: FastifyRequest): Promise<RecordView> {
    return this.records.send(RECORDS_PATTERNS.reportIssue, { recordId: params.id, ...body }, requestMeta(req));
  }

  @Post(':id/clock-out')
  @HttpCode(200)
  @Requires('records', 'write', { usersOnly: true })
  @ApiOperation({ summary: 'Clock out (doubtful evidence is flagged, never refused)' })
  @ApiResponse({ status: 200, type: RecordViewDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  clockOut(@Param() params: RecordIdParamsDto, @Body() body: ClockEvidenceDto, @Req() req: FastifyRequest): Promise<RecordView> {
    return this.records.send(RECORDS_PATTERNS.clockOut, { recordId: params.id, clockOut: clock(body) }, requestMeta(req));
  }

  @Post(':id/inspection')
  @HttpCode(200)
  @Requires('records', 'write', { usersOnly: true })
  @ApiOperation({ summary: 'Record an inspection score with its scoring method and version (not on your own record)' })
  @ApiResponse({ status: 200, type: RecordViewDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  inspect(@Param() params: RecordIdParamsDto, @Body() body: InspectRequestDto, @Req() req: FastifyRequest): Promise<RecordView> {
    return this.records.send(RECORDS_PATTERNS.inspect, { recordId: params.id, score: body.score, method: { ...body.method }, items: body.items.map((i) => ({ ...i })) }, requestMeta(req));
  }

  @Post(':id/sign-off')
  @HttpCode(200)
  @Requires('records', 'manage', { usersOnly: true })
  @ApiOperation({ summary: 'Supervisor sign-off: seals the record (only records:manage may correct it afterwards)' })
  @ApiResponse({ status: 200, type: RecordViewDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'not_clocked_out' })
  signOff(@Param() params: RecordIdParamsDto, @Req() req: FastifyRequest): Promise<RecordView> {
    return this.records.send(RECORDS_PATTERNS.signOff, { recordId: params.id }, requestMeta(req));
  }

  @Post(':id/corrections')
  @HttpCode(200)
  @Requires('records', 'write', { usersOnly: true })
  @ApiOperation({ summary: 'Append a correction naming the event and field it corrects and why; the original stays in history' })
  @ApiResponse({ status: 200, type: RecordViewDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'uncorrectable_target' })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: 'sealed_record_needs_manage' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  correct(@Param() params: RecordIdParamsDto, @Body() body: CorrectRequestDto, @Req() req: FastifyRequest): Promise<RecordView> {
    return this.records.send(RECORDS_PATTERNS.correct, { recordId: params.id, target: { ...body.target }, value: body.value, reason: body.reason }, requestMeta(req));
  }

  @Get()
  @Requires('records', 'read')
  @ApiOperation({ summary: 'Records in your locations by clock-in time (no totals)' })
  @ApiResponse({ status: 200, type: RecordPageDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'locationId absent, foreign or outside your records scope' })
  list(@Query() query: ListRecordsQueryDto, @Req() req: FastifyRequest): Promise<RecordPageDto> {
    return this.records.send(RECORDS_PATTERNS.list, { ...query }, requestMeta(req));
  }

  @Get(':id')
  @Requires('records', 'read')
  @ApiOperation({ summary: 'A record as it stands, or as it stood at ?asOf=<instant>' })
  @ApiResponse({ status: 200, type: RecordViewDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  get(@Param() params: RecordIdParamsDto, @Query() query: GetRecordQueryDto, @Req() req: FastifyRequest): Promise<RecordView> {
    return this.records.send(RECORDS_PATTERNS.get, { recordId: params.id, ...(query.asOf ? { asOf: query.asOf } : {}) }, requestMeta(req));
  }

  @Get(':id/history')
  @Requires('records', 'read')
  @ApiOperation({ summary: 'Every event of the record with actor, time, IP and hash' })
  @ApiResponse({ status: 200, type: HistoryResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  history(@Param() params: RecordIdParamsDto, @Req() req: FastifyRequest): Promise<HistoryResponseDto> {
    return this.records.send(RECORDS_PATTERNS.history, { recordId: params.id }, requestMeta(req));
  }

  @Get(':id/verify')
  @Requires('records', 'read')
  @ApiOperation({ summary: "Recompute the record's hash chain: ok with the head hash, or the first broken version" })
  @ApiResponse({ status: 200, type: VerifyResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  verify(@Param() params: RecordIdParamsDto, @Req() req: FastifyRequest): Promise<VerifyResponseDto> {
    return this.records.send(RECORDS_PATTERNS.verify, { recordId: params.id }, requestMeta(req));
  }

  @Get(':id/export')
  @Requires('records', 'read')
  @ApiOperation({ summary: 'Every event with its hashes; verify offline with `npx custodian verify record <file>`' })
  @ApiResponse({ status: 200, type: RecordExportDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  exportRecord(@Param() params: RecordIdParamsDto, @Req() req: FastifyRequest): Promise<RecordExportDto> {
    return this.records.send(RECORDS_PATTERNS.export, { recordId: params.id }, requestMeta(req));
  }
}

function clock(c: ClockEvidenceDto) {
  return { at: c.at, method: c.method, ...(c.scanCode !== undefined ? { scanCode: c.scanCode } : {}), ...(c.geo ? { geo: { ...c.geo } } : {}) };
}
