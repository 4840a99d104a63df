import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const STATUSES = ['open', 'investigating', 'contained', 'resolved'] as const;
const KINDS = ['security', 'breach', 'operational'] as const;

export class BlockIpRequestDto {
  @ApiProperty({ example: '203.0.113.7', description: 'One IPv4 or IPv6 address' }) @IsDefined() @IsString() @MaxLength(64) ip!: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'Absent or null: until unblocked' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(INSTANT, { message: 'until must be an ISO-8601 instant with an offset or Z' })
  until?: string | null;
  @ApiProperty({ maxLength: 200 }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200) reason!: string;
}

export class IpParamsDto {
  @ApiProperty({ example: '203.0.113.7' }) @IsDefined() @IsString() @MaxLength(64) ip!: string;
}

export class BlockedIpDto {
  @ApiProperty() ip!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) until!: string | null;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: '{ kind: user | rule, id }' }) blockedBy!: unknown;
  @ApiProperty({ format: 'date-time' }) since!: string;
}

export class BlockedIpListDto {
  @ApiProperty({ type: [BlockedIpDto] }) items!: BlockedIpDto[];
}

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) cursor?: string;
}

export class NotificationPageDto {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'notificationId, at, audience, kind, text, incidentId' }) items!: unknown[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class OpenIncidentRequestDto {
  @ApiProperty({ enum: KINDS, description: 'breach: carries a notification deadline 24 h after detection' }) @IsDefined() @IsIn(KINDS) kind!: (typeof KINDS)[number];
  @ApiProperty({ enum: SEVERITIES }) @IsDefined() @IsIn(SEVERITIES) severity!: (typeof SEVERITIES)[number];
  @ApiProperty({ maxLength: 200, description: 'Stored encrypted' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @ApiPropertyOptional({ maxLength: 4000, nullable: true, description: 'Stored encrypted' }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(4000) description?: string | null;
  @ApiPropertyOptional({ format: 'date-time', description: 'When it was discovered; default now' }) @IsOptional() @Matches(INSTANT, { message: 'detectedAt must be an ISO-8601 instant with an offset or Z' }) detectedAt?: string;
}

export class IncidentParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsDefined() @IsUUID() incidentId!: string;
}

export class AddIncidentEntryRequestDto {
  @ApiProperty({ enum: ['note', 'action', 'notification_sent'], description: 'notification_sent stops a breach deadline’s alerts' }) @IsDefined() @IsIn(['note', 'action', 'notification_sent']) kind!: 'note' | 'action' | 'notification_sent';
  @ApiProperty({ maxLength: 4000, description: 'Stored encrypted' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(4000) text!: string;
}

export class UpdateIncidentRequestDto {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ enum: SEVERITIES }) @IsOptional() @IsIn(SEVERITIES) severity?: (typeof SEVERITIES)[number];
}

export class ListIncidentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ enum: KINDS }) @IsOptional() @IsIn(KINDS) kind?: (typeof KINDS)[number];
}

export class IncidentDto {
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({ enum: KINDS }) kind!: string;
  @ApiProperty({ enum: SEVERITIES }) severity!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ format: 'date-time' }) detectedAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) openedBy!: unknown;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Breach: detectedAt + 24 h' }) notificationDeadline!: string | null;
  @ApiProperty() notified!: boolean;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Entries: kind (detected, action, note, status, severity, notification_sent, deadline_alert), text, by { kind: user | rule | platform, id }, at' })
  timeline!: unknown[];
}

export class IncidentPageDto {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) items!: unknown[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
