import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsEmail, IsNotEmptyObject, IsObject, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';

export class OwnerDto {
  @ApiProperty({ example: 'ana@brightclean.example', maxLength: 254 })
  @IsDefined()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Ana Ruiz', minLength: 1, maxLength: 200 })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ minLength: 12, maxLength: 256, description: 'At least 12 characters' })
  @IsDefined()
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  password!: string;
}

export class CreateTenantRequestDto {
  @ApiProperty({ example: 'Bright Clean Ltd', minLength: 1, maxLength: 200, description: 'Unique across the platform (case- and space-insensitive)' })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: OwnerDto })
  @IsDefined()
  @IsObject()
  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => OwnerDto)
  owner!: OwnerDto;
}

export class CreateTenantResponseDto {
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty({ format: 'uuid' }) ownerId!: string;
}
