import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUDIT_PATTERNS, type ActivityView, type CheckpointView, type ConsistencyProofView, type InclusionProofView, type ListActivityResponse, type PublicKeyView, type ReplayStreamResponse, type VerifyLedgerResponse } from '@custodian/audit/contracts';
import { BootstrapToken, Public, Requires } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { AuditClient } from './audit.client';
import {
  ActivityPageDto,
  AsOfQueryDto,
  CheckpointDto,
  ConsistencyQueryDto,
  InclusionQueryDto,
  ListActivityQueryDto,
  ProofDocumentDto,
  PublicKeyDto,
  ReplayResponseDto,
  StreamParamsDto,
  TreeSizeParamsDto,
  VerifyLedgerResponseDto,
} from './audit.dto';

const EXPORT_PAGE = 1_000;
const CSV_COLUMNS = ['at', 'activityId', 'requestId', 'actorKind', 'userId', 'keyId', 'action', 'operation', 'targetIds', 'status', 'result', 'errorCode', 'ip', 'userAgent', 'durationMs', 'gateway'] as const;

/** Activity log and ledger for account admins and auditors (module `audit`, on all locations). */
@ApiTags('audit')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'insufficient_access, tenant_wide_access_required' })
@Controller('v1/audit')
export class AuditHttpController {
  constructor(private readonly audit: AuditClient) {}

  @Get('activity')
  @Requires('audit', 'read')
  @ApiOperation({ summary: "Who did what from where: every API request of the tenant, newest first; CSV or NDJSON export of every match with Accept or ?format=" })
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  @ApiResponse({ status: 200, type: ActivityPageDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  async activity(@Query() query: ListActivityQueryDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ListActivityResponse | void> {
    const { format: asked, ...filters } = query;
    const format = asked ?? formatFromAccept(req.headers.accept);
    const meta = requestMeta(req);
    if (format === 'json') return this.audit.send(AUDIT_PATTERNS.listActivity, filters, meta);
    // Exports stream every match page by page; the first page is fetched before any byte is
    // sent, so a bad filter is still a 4xx in the error shape.
    let page = await this.audit.send(AUDIT_PATTERNS.listActivity, { ...filters, limit: EXPORT_PAGE, cursor: undefined }, meta);
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="activity.${format}"`,
      'x-request-id': String(req.id),
    });
    if (format === 'csv') raw.write(`${CSV_COLUMNS.join(',')}\r\n`);
    for (;;) {
      raw.write(page.items.map((a) => (format === 'csv' ? csvRow(a) : `${JSON.stringify(a)}\n`)).join(''));
      if (!page.nextCursor) break;
      try {
        page = await this.audit.send(AUDIT_PATTERNS.listActivity, { ...filters, limit: EXPORT_PAGE, cursor: page.nextCursor }, meta);
      } catch (error) {
        // Headers are gone: end the body with a marker line a reader cannot mistake for data.
        raw.write(format === 'csv' ? `# export interrupted: ${String((error as Error).message)}\r\n` : `${JSON.stringify({ error: { code: 'export_interrupted', message: String((error as Error).message) } })}\n`);
        break;
      }
    }
    raw.end();
  }

  @Get('checkpoints/latest')
  @Requires('audit', 'read')
  @ApiOperation({ summary: 'The newest signed checkpoint of the ledger (re-signed at least every 10 s)' })
  @ApiResponse({ status: 200, type: CheckpointDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'checkpoint_not_found (none signed yet)' })
  latest(@Req() req: FastifyRequest): Promise<CheckpointView> {
    return this.audit.send(AUDIT_PATTERNS.latestCheckpoint, {}, requestMeta(req));
  }

  @Get('checkpoints/:treeSize')
  @Requires('audit', 'read')
  @ApiOperation({ summary: 'The checkpoint signed at exactly this tree size' })
  @ApiResponse({ status: 200, type: CheckpointDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'checkpoint_not_found' })
  checkpoint(@Param() params: TreeSizeParamsDto, @Req() req: FastifyRequest): Promise<CheckpointView> {
    return this.audit.send(AUDIT_PATTERNS.checkpointAt, { treeSize: params.treeSize }, requestMeta(req));
  }

  @Get('proofs/inclusion')
  @Requires('audit', 'read')
  @ApiOperation({ summary: 'Proof that an event of your tenant is in a signed checkpoint (verify offline: npx custodian verify inclusion)' })
  @ApiResponse({ status: 200, type: ProofDocumentDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'event_not_found, checkpoint_not_found, event_not_in_checkpoint' })
  inclusion(@Query() query: InclusionQueryDto, @Req() req: FastifyRequest): Promise<InclusionProofView> {
    return this.audit.send(AUDIT_PATTERNS.inclusionProof, { eventId: query.eventId, treeSize: query.treeSize }, requestMeta(req));
  }

  @Get('proofs/consistency')
  @Requires('audit', 'read')
  @ApiOperation({ summary: 'Proof that checkpoint `to` extends checkpoint `from` (nothing removed or rewritten); verify offline: npx custodian verify consistency' })
  @ApiResponse({ status: 200, type: ProofDocumentDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'invalid_range' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'checkpoint_not_found' })
  consistency(@Query() query: ConsistencyQueryDto, @Req() req: FastifyRequest): Promise<ConsistencyProofView> {
    return this.audit.send(AUDIT_PATTERNS.consistencyProof, { from: query.from, to: query.to }, requestMeta(req));
  }

  @Get('public-key')
  @Public()
  @ApiOperation({ summary: "The ledger's Ed25519 checkpoint key: all an outsider needs to verify checkpoints and proofs" })
  @ApiResponse({ status: 200, type: PublicKeyDto })
  publicKey(@Req() req: FastifyRequest): Promise<PublicKeyView> {
    return this.audit.send(AUDIT_PATTERNS.publicKey, {}, requestMeta(req));
  }

  @Get('streams/:streamId')
  @Requires('audit', 'read')
  @ApiOperation({ summary: 'Replay a stream (record, shift, user…) as it stood at asOf, each event as stored with its inclusion proof' })
  @ApiResponse({ status: 200, type: ReplayResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'stream_not_found (absent or another tenant’s)' })
  stream(@Param() params: StreamParamsDto, @Query() query: AsOfQueryDto, @Req() req: FastifyRequest): Promise<ReplayStreamResponse> {
    return this.audit.send(AUDIT_PATTERNS.replayStream, { streamId: params.streamId, asOf: query.asOf }, requestMeta(req));
  }
}

/** The operator's ledger sweep (bootstrap token): platform-wide, names every altered or missing event. */
@ApiTags('operator')
@Controller('v1/operator/ledger')
export class LedgerOperatorHttpController {
  constructor(private readonly audit: AuditClient) {}

  @Post('verify')
  @HttpCode(200)
  @BootstrapToken()
  @ApiBearerAuth('bootstrap-token')
  @ApiOperation({ summary: 'Re-read and re-hash every sequenced event and compare with the ledger and its newest signed root' })
  @ApiResponse({ status: 200, type: VerifyLedgerResponseDto })
  @ApiResponse({ status: 401, type: ErrorResponseDto })
  verify(@Req() req: FastifyRequest): Promise<VerifyLedgerResponse> {
    return this.audit.send(AUDIT_PATTERNS.verifyLedger, {}, requestMeta(req));
  }
}

function formatFromAccept(accept: string | undefined): 'json' | 'csv' | 'ndjson' {
  if (typeof accept !== 'string' || /\bapplication\/json\b/i.test(accept)) return 'json';
  if (/\btext\/csv\b/i.test(accept)) return 'csv';
  if (/\bapplication\/(x-)?ndjson\b/i.test(accept)) return 'ndjson';
  return 'json';
}

/** RFC 4180, every field quoted. */
function csvRow(a: ActivityView): string {
  const q = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
  const userId = a.actor.kind === 'user' || a.actor.kind === 'api_key' ? a.actor.userId : '';
  const keyId = a.actor.kind === 'api_key' ? a.actor.keyId : '';
  const targets = Object.entries(a.targetIds).map(([k, v]) => `${k}=${v}`).join(';');
  return `${[a.at, a.activityId, a.requestId, a.actor.kind, userId, keyId, a.action, a.operation, targets, a.status, a.result, a.errorCode, a.ip, a.userAgent, a.durationMs, a.gateway].map(q).join(',')}\r\n`;
}
