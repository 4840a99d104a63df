import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateBy, type ValidationArguments } from 'class-validator';
import { ACCESS_LEVELS, MODULES } from '@custodian/identity/contracts';

export class CreateUserRequestDto {
  @ApiProperty({ example: 'sam@brightclean.example', maxLength: 254 })
  @IsDefined()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Sam Okafor', minLength: 1, maxLength: 200 })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ minLength: 12, maxLength: 256, description: 'Omit to invite: the response then carries a one-time activation token' })
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  password?: string;
}

export class CreateUserResponseDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ enum: ['invited', 'active'] }) status!: string;
  @ApiPropertyOptional({ description: 'Invites only, shown once: POST /v1/auth/activate with it' }) activationToken?: string;
  @ApiPropertyOptional({ format: 'date-time' }) activationExpiresAt?: string;
}

export class GrantDto {
  @ApiProperty({ enum: MODULES }) module!: string;
  @ApiProperty({ enum: ACCESS_LEVELS }) access!: string;
  @ApiProperty({ oneOf: [{ type: 'string', enum: ['all'] }, { type: 'array', items: { type: 'string' } }] }) locations!: 'all' | string[];
}

export class UserViewDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['invited', 'active', 'disabled'] }) status!: string;
  @ApiProperty() isOwner!: boolean;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastLoginAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Set while failed logins keep the account locked' }) lockedUntil!: string | null;
  @ApiProperty({ type: [GrantDto] }) grants!: GrantDto[];
}

export class ListUsersResponseDto {
  @ApiProperty({ type: [UserViewDto] }) items!: UserViewDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page' }) nextCursor!: string | null;
}

export class ListUsersQueryDto {
  @ApiPropertyOptional({ enum: ['invited', 'active', 'disabled'] })
  @IsOptional()
  @IsIn(['invited', 'active', 'disabled'])
  status?: 'invited' | 'active' | 'disabled';

  @ApiPropertyOptional({ description: 'Exact email' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ enum: MODULES, description: 'Only users holding some access to this module' })
  @IsOptional()
  @IsIn(MODULES)
  module?: (typeof MODULES)[number];

  @ApiPropertyOptional({ description: 'Only users with a grant naming this location (or all locations)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  locationId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class UserIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class GrantParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;

  @ApiProperty({ enum: MODULES })
  @IsIn(MODULES, { message: `module must be one of ${MODULES.join(', ')}` })
  module!: string;
}

/** 'all', or 1-500 distinct location ids. */
function IsLocationScope() {
  return ValidateBy({
    name: 'isLocationScope',
    validator: {
      validate: (value: unknown) =>
        value === 'all' || (Array.isArray(value) && value.length >= 1 && value.length <= 500 && value.every((v) => typeof v === 'string' && v.length >= 1 && v.length <= 128)),
      defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'locations'} must be 'all' or a non-empty list of location ids`,
    },
  });
}

export class PutGrantRequestDto {
  @ApiProperty({ enum: ACCESS_LEVELS, description: 'manage includes write includes read' })
  @IsDefined()
  @IsIn(ACCESS_LEVELS)
  access!: string;

  @ApiProperty({ oneOf: [{ type: 'string', enum: ['all'] }, { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 500 }] })
  @IsDefined()
  @IsLocationScope()
  locations!: 'all' | string[];
}

export class GrantsResponseDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ type: [GrantDto] }) grants!: GrantDto[];
}

export class UserStatusResponseDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ enum: ['invited', 'active', 'disabled'] }) status!: string;
}

export class TransferOwnershipRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsDefined()
  @IsUUID()
  toUserId!: string;
}

export class TransferOwnershipResponseDto {
  @ApiProperty({ format: 'uuid' }) ownerId!: string;
  @ApiProperty({ format: 'uuid' }) previousOwnerId!: string;
}

