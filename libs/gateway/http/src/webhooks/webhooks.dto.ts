import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { WEBHOOK_DELIVERY_STATES, WEBHOOK_EVENT_TYPE_PATTERN, WEBHOOK_MAX_EVENT_TYPES, WEBHOOK_SECRET_PATTERN, WEBHOOK_URL_MAX_LENGTH, type WebhookDeliveryState } from '@custodian/audit/contracts';
import { PageQueryDto } from '../security/security.dto';

const STATUSES = ['active', 'disabled'] as const;
const HTTP_URL = /^https?:\/\/[^\s]+$/i;

export class CreateWebhookRequestDto {
  @ApiProperty({ example: 'https://payroll.example.com/hooks/custodian', maxLength: WEBHOOK_URL_MAX_LENGTH, description: 'http or https; no credentials, no fragment; redirects are never followed' })
  @IsDefined()
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  @Matches(HTTP_URL, { message: 'url must be an http or https URL' })
  url!: string;

  @ApiProperty({ type: [String], example: ['records.RecordSealed', 'scheduling.*'], description: '"*", exact event types, or prefixes ending in "*"' })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_MAX_EVENT_TYPES)
  @IsString({ each: true })
  @Matches(WEBHOOK_EVENT_TYPE_PATTERN, { each: true, message: 'each event type must be "*", "context.Type" or a prefix like "context.*"' })
  events!: string[];

  @ApiProperty({ minLength: 32, maxLength: 256, description: 'HMAC-SHA256 key (printable ASCII, no spaces); stored encrypted, never shown again' })
  @IsDefined()
  @IsString()
  @Matches(WEBHOOK_SECRET_PATTERN, { message: 'secret must be 32-256 printable ASCII characters without spaces' })
  secret!: string;

  @ApiPropertyOptional({ enum: STATUSES, default: 'active' }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
}

export class UpdateWebhookRequestDto {
  @ApiProperty({ enum: STATUSES, description: 'disabled: no delivery, the position is kept; active again: deliveries go on from it' }) @IsDefined() @IsIn(STATUSES) status!: (typeof STATUSES)[number];
}

export class ReplayWebhookRequestDto {
  @ApiProperty({ minimum: 1, description: "Global log position to re-deliver from (inclusive); at most the webhook's position + 1" })
  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  fromPosition!: number;
}

export class WebhookParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsDefined() @IsUUID() id!: string;
}

export class ListDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: WEBHOOK_DELIVERY_STATES }) @IsOptional() @IsIn(WEBHOOK_DELIVERY_STATES) state?: WebhookDeliveryState;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) webhookId!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) events!: string[];
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ description: 'Global log position handled so far (delivered, given up on, or not matching)' }) position!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ description: 'Actor: user:<id> or apikey:<id>' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class WebhookPageDto {
  @ApiProperty({ type: [WebhookDto] }) items!: WebhookDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class WebhookAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ nullable: true, type: Number, description: "The receiver's HTTP status" }) statusCode!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it failed: HTTP <status>, timeout, connection refused…' }) error!: string | null;
  @ApiProperty() durationMs!: number;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'The webhook-id header of every attempt' }) deliveryId!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty() position!: number;
  @ApiProperty({ description: 'Re-delivered by a replay' }) replay!: boolean;
  @ApiProperty({ enum: WEBHOOK_DELIVERY_STATES }) state!: string;
  @ApiProperty({ type: [WebhookAttemptDto] }) attempts!: WebhookAttemptDto[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) items!: WebhookDeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
