import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ErrorBodyDto {
  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable code' }) code!: string;
  @ApiProperty({ example: 'owner.email must be an email' }) message!: string;
  @ApiPropertyOptional({ description: 'Structured detail, e.g. the fields that failed validation' }) details?: unknown;
  @ApiProperty({ example: '5f0c5f6e-54b4-4a5e-9a43-1c2f1d0f7b11', description: 'Echoes the X-Request-Id response header' }) requestId!: string;
}

/** The one error shape of the API: `{ "error": { code, message, details?, requestId } }`. */
export class ErrorResponseDto {
  @ApiProperty({ type: ErrorBodyDto }) error!: ErrorBodyDto;
}
