import { refusal, SchemaRefusal, type Subject } from '@app/common';
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

const SUBJECTS: Record<string, Subject> = { body: { subject: 'The request body' }, query: { subject: 'The query' } };

/**
 * Validates every body and query typed with a zod DTO (`createZodDto`) and hands the handler the
 * parsed value. The first issue becomes a 400 problem naming the offending item (see
 * `refusal`); a DTO may say how its refusals read with a static `refusal`.
 */
@Injectable()
export class ValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const dto = metadata.metatype as { isZodDto?: true; schema: z.ZodType; refusal?: Subject } | undefined;
    if (dto?.isZodDto !== true) return value;
    const result = dto.schema.safeParse(value);
    if (result.success) return result.data;
    throw new SchemaRefusal(refusal(result.error, value, dto.refusal ?? SUBJECTS[metadata.type] ?? SUBJECTS.body));
  }
}
