import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiProperty, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsDefined, IsUUID, Matches } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RECORDS_PATTERNS, type ComplianceReport } from '@custodian/records/contracts';
import { Requires } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { RecordsClient } from './records.client';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export class ComplianceReportQueryDto {
  @ApiProperty({ format: 'uuid' }) @IsDefined() @IsUUID() locationId!: string;
  @ApiProperty({ format: 'date-time', description: 'Shifts starting at or after' }) @IsDefined() @Matches(INSTANT, { message: 'from must be an ISO-8601 instant with an offset or Z' }) from!: string;
  @ApiProperty({ format: 'date-time', description: 'Shifts starting before (at most 62 days after from)' }) @IsDefined() @Matches(INSTANT, { message: 'to must be an ISO-8601 instant with an offset or Z' }) to!: string;
}

export class ComplianceReportDto {
  @ApiProperty({ format: 'uuid' }) locationId!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Per shift: status, cleanerIds, recordIds, checklist, tasksExpected, tasksDone, tasksMissed[{taskId, areaId}], flags[{recordId, code, detail}], corrections, inspectionScores[{recordId, score, method}]',
  })
  shifts!: unknown[];
}

const CSV_COLUMNS = ['shiftId', 'start', 'end', 'status', 'cleanerIds', 'recordIds', 'checklistId', 'checklistVersion', 'tasksExpected', 'tasksDone', 'tasksMissed', 'flags', 'corrections', 'inspectionScores'];

/** Reports over cleaning records (module `records`). */
@ApiTags('reports')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto })
@Controller('v1/reports')
export class ReportsHttpController {
  constructor(private readonly records: RecordsClient) {}

  @Get('compliance')
  @Requires('records', 'read')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: 'Per shift at a location: tasks done and missed, flags, corrections, inspection scores. JSON, or CSV with Accept: text/csv' })
  @ApiResponse({ status: 200, type: ComplianceReportDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'locationId absent, foreign or outside your records scope' })
  async compliance(@Query() query: ComplianceReportQueryDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ComplianceReport | string> {
    const report = await this.records.send(RECORDS_PATTERNS.complianceReport, { ...query }, requestMeta(req));
    if (!wantsCsv(req.headers.accept)) return report;
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="compliance-${report.locationId}.csv"`);
    return toCsv(report);
  }
}

function wantsCsv(accept: string | undefined): boolean {
  return typeof accept === 'string' && /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

/** RFC 4180: one row per shift, lists joined with `;`, every field quoted. */
export function toCsv(report: ComplianceReport): string {
  const q = (v: string | number) => `"${String(v).replace(/"/g, '""')}"`;
  const rows = report.shifts.map((s) =>
    [
      s.shiftId,
      s.start,
      s.end,
      s.status,
      s.cleanerIds.join(';'),
      s.recordIds.join(';'),
      s.checklist.checklistId,
      s.checklist.version,
      s.tasksExpected,
      s.tasksDone,
      s.tasksMissed.map((m) => `${m.taskId}@${m.areaId}`).join(';'),
      s.flags.map((f) => `${f.code}: ${f.detail}`).join(';'),
      s.corrections,
      s.inspectionScores.map((i) => `${i.score} (${i.method.name} ${i.method.version})`).join(';'),
    ]
      .map(q)
      .join(','),
  );
  return [CSV_COLUMNS.map(q).join(','), ...rows].join('\r\n') + '\r\n';
}
