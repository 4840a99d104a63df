import { ValidationPipe, type ArgumentMetadata, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidationError } from '@custodian/kernel';

/**
 * Request bodies and queries are validated at the edge (class-validator): unknown fields,
 * missing fields and wrong types are a 400 `validation_failed` listing each field; values are
 * never coerced from one type to another.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new ValidationError(summarise(errors), { fields: flatten(errors) }),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new ValidationError('The request body must be a JSON object', undefined, 'validation_failed');
    }
    return super.transform(value, metadata);
  }
}

interface FieldError {
  field: string;
  problems: string[];
}

function flatten(errors: ClassValidatorError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

function summarise(errors: ClassValidatorError[]): string {
  const fields = flatten(errors);
  return fields.length ? fields.map((f) => f.problems.join(', ')).join('; ') : 'The request is invalid';
}
