import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CLOCK_IN_POLICIES, SCAN_METHODS, SENSITIVITIES } from '@custodian/scheduling/contracts';

const KIND = /^[a-z0-9][a-z0-9-]{0,63}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export class GeofenceDto {
  @ApiProperty({ minimum: -90, maximum: 90 }) @IsDefined() @IsNumber() @Min(-90) @Max(90) lat!: number;
  @ApiProperty({ minimum: -180, maximum: 180 }) @IsDefined() @IsNumber() @Min(-180) @Max(180) lon!: number;
  @ApiProperty({ minimum: 1, maximum: 100000 }) @IsDefined() @IsNumber() @Min(1) @Max(100_000) radiusMeters!: number;
}

export class CreateLocationRequestDto {
  @ApiProperty({ example: 'St. Mary Hospital, East Wing', maxLength: 200 }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ example: '1 Hospital Rd, London', maxLength: 500 }) @IsDefined() @IsString() @MinLength(1) @MaxLength(500) address!: string;
  @ApiProperty({ example: 'Europe/London', description: 'IANA time zone; shifts keep their wall-clock times in it' }) @IsDefined() @IsString() @MaxLength(64) timezone!: string;
  @ApiProperty({ enum: SENSITIVITIES }) @IsDefined() @IsIn(SENSITIVITIES) sensitivity!: (typeof SENSITIVITIES)[number];
  @ApiProperty({ type: GeofenceDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => GeofenceDto) geofence!: GeofenceDto;
  @ApiProperty({ enum: CLOCK_IN_POLICIES, description: 'A clock-in outside the geofence is flagged or refused' }) @IsDefined() @IsIn(CLOCK_IN_POLICIES) clockInPolicy!: (typeof CLOCK_IN_POLICIES)[number];
}

export class ScanPointDto {
  @ApiProperty({ format: 'uuid' }) scanPointId!: string;
  @ApiProperty({ enum: SCAN_METHODS }) method!: string;
  @ApiProperty({ description: 'Printed on the QR sticker or written to the NFC tag' }) code!: string;
  @ApiProperty({ format: 'date-time' }) issuedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) rotatedAt!: string | null;
}

export class AreaDto {
  @ApiProperty({ format: 'uuid' }) areaId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'restroom' }) kind!: string;
  @ApiProperty({ type: [ScanPointDto] }) scanPoints!: ScanPointDto[];
}

export class LocationDto {
  @ApiProperty({ format: 'uuid' }) locationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() address!: string;
  @ApiProperty() timezone!: string;
  @ApiProperty({ enum: SENSITIVITIES }) sensitivity!: string;
  @ApiProperty({ type: GeofenceDto }) geofence!: GeofenceDto;
  @ApiProperty({ enum: CLOCK_IN_POLICIES }) clockInPolicy!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ type: [AreaDto] }) areas!: AreaDto[];
}

export class LocationPageDto {
  @ApiProperty({ type: [LocationDto] }) items!: LocationDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) cursor?: string;
}

export class AddAreaRequestDto {
  @ApiProperty({ example: 'Ward 3 restrooms', maxLength: 200 }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ example: 'restroom', description: 'Lower-case slug; matched against checklists’ areaKind' }) @IsDefined() @IsString() @Matches(KIND, { message: 'kind must be a lower-case slug (letters, digits, -), at most 64 characters' }) kind!: string;
}

export class IssueScanPointRequestDto {
  @ApiProperty({ enum: SCAN_METHODS }) @IsDefined() @IsIn(SCAN_METHODS) method!: (typeof SCAN_METHODS)[number];
}

export class LocationParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class AreaParamsDto extends LocationParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() areaId!: string;
}

export class ScanPointParamsDto extends AreaParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() scanPointId!: string;
}

export class ChecklistTaskInputDto {
  @ApiPropertyOptional({ description: 'Keep a task’s id across versions; omitted for a new task' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(128) taskId?: string;
  @ApiProperty({ maxLength: 300 }) @IsDefined() @IsString() @MinLength(1) @MaxLength(300) title!: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() required?: boolean;
}

export class ChecklistRequestDto {
  @ApiProperty({ maxLength: 200 }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ example: 'restroom' }) @IsDefined() @IsString() @Matches(KIND, { message: 'areaKind must be a lower-case slug (letters, digits, -), at most 64 characters' }) areaKind!: string;
  @ApiProperty({ type: [ChecklistTaskInputDto] }) @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => ChecklistTaskInputDto) tasks!: ChecklistTaskInputDto[];
}

export class ChecklistTaskDto {
  @ApiProperty() taskId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() required!: boolean;
}

export class ChecklistDto {
  @ApiProperty({ format: 'uuid' }) checklistId!: string;
  @ApiProperty({ minimum: 1 }) version!: number;
  @ApiProperty() name!: string;
  @ApiProperty() areaKind!: string;
  @ApiProperty({ type: [ChecklistTaskDto] }) tasks!: ChecklistTaskDto[];
  @ApiProperty({ format: 'date-time', description: 'When this version was made' }) createdAt!: string;
}

export class ChecklistPageDto {
  @ApiProperty({ type: [ChecklistDto] }) items!: ChecklistDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ChecklistParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class ChecklistQueryDto {
  @ApiPropertyOptional({ minimum: 1, description: 'Omit for the latest' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) version?: number;
}

export class ListChecklistsQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(KIND) areaKind?: string;
}

export class ScheduleShiftsRequestDto {
  @ApiProperty({ format: 'uuid' }) @IsDefined() @IsUUID() locationId!: string;
  @ApiProperty({ example: '2027-03-27T22:00', description: 'With an offset or Z: an instant. Without: wall-clock time at the location' })
  @IsDefined()
  @IsString()
  @Matches(DATE_TIME, { message: 'start must be an ISO-8601 date-time' })
  start!: string;
  @ApiProperty({ example: '2027-03-28T06:00' }) @IsDefined() @IsString() @Matches(DATE_TIME, { message: 'end must be an ISO-8601 date-time' }) end!: string;
  @ApiProperty({ format: 'uuid', description: 'Its latest version is pinned to the shift' }) @IsDefined() @IsUUID() checklistId!: string;
  @ApiPropertyOptional({ type: [String], description: 'Users with records:write at the location' }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) cleanerIds?: string[];
  @ApiPropertyOptional({ minimum: 1, maximum: 26, default: 1, description: 'Occurrences, one week apart at the same local times' }) @IsOptional() @IsInt() @Min(1) @Max(26) repeatWeekly?: number;
}

export class PinnedChecklistDto {
  @ApiProperty({ format: 'uuid' }) checklistId!: string;
  @ApiProperty() version!: number;
}

export class CancellationDto {
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) cancelledAt!: string;
}

export class ShiftDto {
  @ApiProperty({ format: 'uuid' }) shiftId!: string;
  @ApiProperty({ format: 'uuid' }) locationId!: string;
  @ApiProperty({ format: 'date-time' }) start!: string;
  @ApiProperty({ format: 'date-time' }) end!: string;
  @ApiProperty({ example: '2027-03-27T22:00:00', description: 'Wall-clock time at the location' }) localStart!: string;
  @ApiProperty({ example: '2027-03-28T06:00:00' }) localEnd!: string;
  @ApiProperty({ example: 'Europe/London' }) timezone!: string;
  @ApiProperty({ type: PinnedChecklistDto }) checklist!: PinnedChecklistDto;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) seriesId!: string | null;
  @ApiProperty({ type: [String] }) cleanerIds!: string[];
  @ApiProperty({ enum: ['scheduled', 'cancelled'] }) status!: string;
  @ApiPropertyOptional({ type: CancellationDto }) cancellation?: CancellationDto;
}

export class ScheduleShiftsResponseDto {
  @ApiProperty({ type: [ShiftDto] }) shifts!: ShiftDto[];
}

export class ShiftPageDto {
  @ApiProperty({ type: [ShiftDto] }) items!: ShiftDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TimeRangeQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Shifts ending after this instant' }) @IsOptional() @Matches(INSTANT, { message: 'from must be an instant with an offset or Z' }) from?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Shifts starting before this instant' }) @IsOptional() @Matches(INSTANT, { message: 'to must be an instant with an offset or Z' }) to?: string;
}

export class ListShiftsQueryDto extends TimeRangeQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() cleanerId?: string;
}

export class ShiftParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class AssignmentParamsDto extends ShiftParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() userId!: string;
}

export class AssignCleanerRequestDto {
  @ApiProperty({ format: 'uuid' }) @IsDefined() @IsUUID() cleanerId!: string;
}

export class RescheduleShiftRequestDto {
  @ApiProperty({ example: '2027-03-27T23:00' }) @IsDefined() @IsString() @Matches(DATE_TIME, { message: 'start must be an ISO-8601 date-time' }) start!: string;
  @ApiProperty({ example: '2027-03-28T07:00' }) @IsDefined() @IsString() @Matches(DATE_TIME, { message: 'end must be an ISO-8601 date-time' }) end!: string;
}

export class CancelShiftRequestDto {
  @ApiProperty({ maxLength: 500, description: 'Stored encrypted (it may name people)' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}
