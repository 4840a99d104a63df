import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class LoginRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsDefined()
  @IsUUID()
  tenantId!: string;

  @ApiProperty({ example: 'ana@brightclean.example', maxLength: 254 })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  email!: string;

  @ApiProperty({ maxLength: 256 })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'EdDSA-signed JWT; verify with /v1/.well-known/jwks.json' }) accessToken!: string;
  @ApiProperty({ description: 'Opaque refresh token' }) refreshToken!: string;
  @ApiProperty({ example: 900, description: 'Access token lifetime in seconds' }) expiresIn!: number;
}
