import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ACTIVITY_RESULTS } from '@custodian/audit/contracts';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export class ListActivityQueryDto {
  @ApiPropertyOptional({ description: 'A user id (for API keys: the creating user)' }) @IsOptional() @IsString() @MaxLength(200) userId?: string;
  @ApiPropertyOptional({ example: 'POST /v1/auth/login', description: '"<METHOD> <route pattern>"' }) @IsOptional() @IsString() @MaxLength(300) action?: string;
  @ApiPropertyOptional({ example: '203.0.113.7' }) @IsOptional() @IsString() @MaxLength(64) ip?: string;
  @ApiPropertyOptional({ enum: ACTIVITY_RESULTS, description: 'ok (<400), denied (401/403), rejected (other 4xx), error (5xx)' }) @IsOptional() @IsIn(ACTIVITY_RESULTS) result?: (typeof ACTIVITY_RESULTS)[number];
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @Matches(INSTANT, { message: 'from must be an ISO-8601 instant with an offset or Z' }) from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @Matches(INSTANT, { message: 'to must be an ISO-8601 instant with an offset or Z' }) to?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50, description: 'Page size (JSON only; exports stream every match)' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) cursor?: string;
  @ApiPropertyOptional({ enum: ['json', 'csv', 'ndjson'], description: 'Or send Accept: text/csv / application/x-ndjson' }) @IsOptional() @IsIn(['json', 'csv', 'ndjson']) format?: 'json' | 'csv' | 'ndjson';
}

export class ActivityPageDto {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'activityId, at, requestId, actor{kind,userId,keyId}, action, operation, targetIds, status, result, errorCode, ip, userAgent, durationMs, gateway, receivedAt' })
  items!: unknown[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CheckpointDto {
  @ApiProperty({ enum: [1] }) version!: 1;
  @ApiProperty() origin!: string;
  @ApiProperty() treeSize!: number;
  @ApiProperty({ description: 'Lowercase hex RFC 6962 root' }) rootHash!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'Base64 Ed25519 signature over the serialised body (docs/verification.md)' }) signature!: string;
}

export class TreeSizeParamsDto {
  @ApiProperty({ minimum: 0 }) @IsDefined() @Type(() => Number) @IsInt() @Min(0) treeSize!: number;
}

export class InclusionQueryDto {
  @ApiProperty({ format: 'uuid' }) @IsDefined() @IsUUID() eventId!: string;
  @ApiPropertyOptional({ minimum: 1, description: 'A signed checkpoint size; default the newest stored checkpoint' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) treeSize?: number;
}

export class ConsistencyQueryDto {
  @ApiProperty({ minimum: 1 }) @IsDefined() @Type(() => Number) @IsInt() @Min(1) from!: number;
  @ApiProperty({ minimum: 1 }) @IsDefined() @Type(() => Number) @IsInt() @Min(1) to!: number;
}

export class ProofDocumentDto {
  @ApiProperty({ enum: ['custodian.inclusion-proof/v1', 'custodian.consistency-proof/v1'] }) kind!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'See docs/verification.md "Ledger"; verify offline with npx custodian verify inclusion|consistency' })
  document!: unknown;
}

export class PublicKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty({ enum: ['Ed25519'] }) algorithm!: 'Ed25519';
  @ApiProperty({ description: 'SPKI PEM' }) publicKeyPem!: string;
  @ApiProperty() origin!: string;
}

export class StreamParamsDto {
  @ApiProperty({ example: 'record-…' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(300) streamId!: string;
}

export class AsOfQueryDto {
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @Matches(INSTANT, { message: 'asOf must be an ISO-8601 instant with an offset or Z' }) asOf?: string;
}

export class ReplayResponseDto {
  @ApiProperty() streamId!: string;
  @ApiProperty({ nullable: true, type: String }) asOf!: string | null;
  @ApiProperty({ type: CheckpointDto, nullable: true }) checkpoint!: CheckpointDto | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: '{ ok } or { ok: false, brokenAtVersion, reason }' }) chain!: unknown;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Each stored event with inclusion { leafIndex, auditPath } against `checkpoint` (null while newer)' })
  events!: unknown[];
}

export class VerifyLedgerResponseDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() checked!: number;
  @ApiProperty() treeSize!: number;
  @ApiProperty() checkpointRootMatches!: boolean;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'eventId, streamId, version, leafIndex, problem (altered|missing|hash_mismatch), detail' }) discrepancies!: unknown[];
}
