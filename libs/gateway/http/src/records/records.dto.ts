import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidateNested } from 'class-validator';
import { CLOCK_METHODS } from '@custodian/records/contracts';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class GeoReadingDto {
  @ApiProperty({ minimum: -90, maximum: 90 }) @IsDefined() @IsNumber() @Min(-90) @Max(90) lat!: number;
  @ApiProperty({ minimum: -180, maximum: 180 }) @IsDefined() @IsNumber() @Min(-180) @Max(180) lon!: number;
  @ApiProperty({ minimum: 0, maximum: 100000, description: "The device's own accuracy estimate, metres" }) @IsDefined() @IsNumber() @Min(0) @Max(100_000) accuracyMeters!: number;
}

export class ClockEvidenceDto {
  @ApiProperty({ format: 'date-time', description: 'Device time; refused when more than 5 minutes ahead of the server' }) @IsDefined() @Matches(INSTANT, { message: 'at must be an ISO-8601 instant with an offset or Z' }) at!: string;
  @ApiProperty({ enum: CLOCK_METHODS }) @IsDefined() @IsIn(CLOCK_METHODS) method!: (typeof CLOCK_METHODS)[number];
  @ApiPropertyOptional({ description: 'The code read from a QR sticker or NFC tag (qr, nfc)' }) @IsOptional() @IsString() @MaxLength(64) scanCode?: string;
  @ApiPropertyOptional({ type: GeoReadingDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => GeoReadingDto) geo?: GeoReadingDto;
}

export class StartRecordRequestDto {
  @ApiProperty({ format: 'uuid' }) @IsDefined() @IsUUID() shiftId!: string;
  @ApiProperty({ type: ClockEvidenceDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => ClockEvidenceDto) clockIn!: ClockEvidenceDto;
}

export class CompleteTaskRequestDto {
  @ApiProperty() @IsDefined() @IsString() @MinLength(1) @MaxLength(128) taskId!: string;
  @ApiProperty({ format: 'uuid' }) @IsDefined() @IsUUID() areaId!: string;
  @ApiProperty({ format: 'date-time' }) @IsDefined() @Matches(INSTANT, { message: 'completedAt must be an ISO-8601 instant with an offset or Z' }) completedAt!: string;
  @ApiPropertyOptional({ maxLength: 2000, description: 'Stored encrypted' }) @IsOptional() @IsString() @MaxLength(2000) notes?: string;
  @ApiPropertyOptional({ description: 'SHA-256 (hex) of a photo kept elsewhere' }) @IsOptional() @Matches(/^[0-9a-f]{64}$/, { message: 'photoSha256 must be 64 lower-case hex digits' }) photoSha256?: string;
}

export class ReportIssueRequestDto {
  @ApiProperty({ example: 'broken-fixture' }) @IsDefined() @Matches(SLUG, { message: 'category must be a lower-case slug' }) category!: string;
  @ApiProperty({ maxLength: 2000, description: 'Stored encrypted' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(2000) description!: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() areaId?: string;
  @ApiProperty({ format: 'date-time' }) @IsDefined() @Matches(INSTANT, { message: 'reportedAt must be an ISO-8601 instant with an offset or Z' }) reportedAt!: string;
}

export class ScoringMethodDto {
  @ApiProperty({ example: 'APPA-3' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiProperty({ example: '2024.1' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(50) version!: string;
}

export class InspectionItemDto {
  @ApiProperty() @IsDefined() @IsString() @MinLength(1) @MaxLength(300) label!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) @IsDefined() @IsNumber() @Min(0) @Max(100) score!: number;
}

export class InspectRequestDto {
  @ApiProperty({ minimum: 0, maximum: 100 }) @IsDefined() @IsNumber() @Min(0) @Max(100) score!: number;
  @ApiProperty({ type: ScoringMethodDto, description: 'Stored with the score' }) @IsDefined() @IsObject() @ValidateNested() @Type(() => ScoringMethodDto) method!: ScoringMethodDto;
  @ApiProperty({ type: [InspectionItemDto] }) @IsDefined() @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => InspectionItemDto) items!: InspectionItemDto[];
}

export class CorrectionTargetDto {
  @ApiProperty({ minimum: 1, description: 'The version (in history) of the event corrected' }) @IsDefined() @IsInt() @Min(1) version!: number;
  @ApiProperty({ enum: ['clockIn.at', 'clockOut.at', 'completedAt', 'photoSha256', 'score', 'category'] }) @IsDefined() @IsString() @MaxLength(100) field!: string;
}

export class CorrectRequestDto {
  @ApiProperty({ type: CorrectionTargetDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => CorrectionTargetDto) target!: CorrectionTargetDto;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }], nullable: true, description: 'The corrected value' })
  @ValidateBy({ name: 'isCorrectionValue', validator: { validate: (v: unknown) => v === null || typeof v === 'string' || typeof v === 'number', defaultMessage: () => 'value must be a string, a number or null' } })
  value!: string | number | null;
  @ApiProperty({ maxLength: 1000, description: 'Why; stored encrypted' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(1000) reason!: string;
}

export class RecordIdParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class GetRecordQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'The record as it stood at this instant' }) @IsOptional() @Matches(INSTANT, { message: 'asOf must be an ISO-8601 instant with an offset or Z' }) asOf?: string;
}

export class ListRecordsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @Matches(INSTANT, { message: 'from must be an ISO-8601 instant with an offset or Z' }) from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @Matches(INSTANT, { message: 'to must be an ISO-8601 instant with an offset or Z' }) to?: string;
  @ApiPropertyOptional({ enum: ['in_progress', 'clocked_out', 'sealed'] }) @IsOptional() @IsIn(['in_progress', 'clocked_out', 'sealed']) status?: 'in_progress' | 'clocked_out' | 'sealed';
  @ApiPropertyOptional({ type: Boolean }) @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean() flagged?: boolean;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) cursor?: string;
}

/** Responses are documented as free-form objects with their main keys (see the messages contract for every field). */
export class RecordViewDto {
  @ApiProperty({ format: 'uuid' }) recordId!: string;
  @ApiProperty({ format: 'uuid' }) shiftId!: string;
  @ApiProperty({ format: 'uuid' }) locationId!: string;
  @ApiProperty({ format: 'uuid' }) cleanerId!: string;
  @ApiProperty({ enum: ['in_progress', 'clocked_out', 'sealed'] }) status!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) clockIn!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) clockOut!: Record<string, unknown> | null;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) tasks!: unknown[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) issues!: unknown[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) inspections!: unknown[];
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) sealed!: unknown;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Every correction; the originals stay in history' }) corrections!: unknown[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) flags!: unknown[];
  @ApiProperty() version!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) asOf!: string | null;
}

export class HistoryResponseDto {
  @ApiProperty({ format: 'uuid' }) recordId!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'version, type, recordedAt, actorId, actorIp, data, decrypted, prevHash, hash' }) events!: unknown[];
}

export class RecordPageDto {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) items!: unknown[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class VerifyResponseDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() events!: number;
  @ApiPropertyOptional() headHash?: string;
  @ApiPropertyOptional({ description: 'The first version whose link or content does not verify' }) brokenAtVersion?: number;
  @ApiPropertyOptional() reason?: string;
}

export class RecordExportDto {
  @ApiProperty({ example: 'custodian.record-export.v1' }) format!: string;
  @ApiProperty({ format: 'uuid' }) recordId!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ format: 'date-time' }) exportedAt!: string;
  @ApiProperty() headHash!: string;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) events!: unknown[];
}
