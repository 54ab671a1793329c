import { MAX_SEATS_PER_REQUEST } from '@app/config';
import { SHOW_LIMITS } from '@app/catalogue';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PriceDto } from '../seats/seats-responses.dto.js';

/**
 * Request shapes of the admin API, for the OpenAPI document. Bodies are validated by
 * `parseShowDefinition` / `parseShowPatch` (libs/catalogue), whose 400s name the offending item.
 */

const KEY = { pattern: '^[a-z0-9-]{1,32}$' };
const LABEL = { pattern: '^[A-Za-z0-9.-]{1,8}$' };

export class LimitsInputDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_SEATS_PER_REQUEST,
    nullable: true,
    type: Number,
    description: `Most seats per hold (default ${MAX_SEATS_PER_REQUEST}; null in a patch: back to it)`,
  })
  perOrder?: number | null;
  @ApiPropertyOptional({
    minimum: 1,
    maximum: SHOW_LIMITS.perCustomer,
    nullable: true,
    type: Number,
    description: 'Most seats per user, held plus booked (default: no limit)',
  })
  perCustomer?: number | null;
}

export class CategoryInputDto {
  @ApiProperty({ ...KEY, example: 'stalls' }) key!: string;
  @ApiPropertyOptional({ example: 'Stalls', maxLength: SHOW_LIMITS.textLength, description: 'Defaults to the key' }) label?: string;
  @ApiPropertyOptional({ type: PriceDto, nullable: true, description: 'null: not sold at a price (complimentary)' })
  price?: PriceDto | null;
}

export class RowInputDto {
  @ApiProperty({ ...LABEL, example: 'AA' }) label!: string;
  @ApiProperty({
    oneOf: [
      { type: 'integer', minimum: 1, maximum: SHOW_LIMITS.seats, description: 'A count: seats labelled 1…n' },
      { type: 'array', items: { type: 'string', ...LABEL }, minItems: 1, uniqueItems: true, description: 'The seat labels, in order' },
    ],
    example: ['1', '2', '2A', '3'],
  })
  seats!: number | string[];
  @ApiPropertyOptional({ ...KEY, nullable: true, type: String, example: 'stalls', description: 'A key of `categories`' }) category?:
    string | null;
}

export class SectionInputDto {
  @ApiProperty({ ...KEY, example: 'floor' }) key!: string;
  @ApiPropertyOptional({ example: 'Floor', maxLength: SHOW_LIMITS.textLength, description: 'Defaults to the key' }) label?: string;
  @ApiProperty({ type: [RowInputDto], minItems: 1, maxItems: SHOW_LIMITS.rowsPerSection }) rows!: RowInputDto[];
}

export class CreateShowDto {
  @ApiPropertyOptional({
    pattern: '^[a-z0-9-]{1,64}$',
    example: 'neon-nights-2027',
    description: 'Generated from the title when absent; "shows" is reserved',
  })
  id?: string;
  @ApiProperty({ example: 'Neon Nights', maxLength: SHOW_LIMITS.textLength }) title!: string;
  @ApiPropertyOptional({ example: 'Harbour Arena', maxLength: SHOW_LIMITS.textLength }) venue?: string;
  @ApiProperty({ format: 'date-time', example: '2027-03-14T19:30:00Z' }) startsAt!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Default: now' }) salesOpenAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Default: startsAt; must be after salesOpenAt' }) salesCloseAt?: string;
  @ApiPropertyOptional({ type: LimitsInputDto }) limits?: LimitsInputDto;
  @ApiPropertyOptional({ type: [CategoryInputDto], maxItems: SHOW_LIMITS.categories }) categories?: CategoryInputDto[];
  @ApiProperty({
    type: [SectionInputDto],
    minItems: 1,
    maxItems: SHOW_LIMITS.sections,
    description: `At most ${SHOW_LIMITS.seats} seats in all`,
  })
  sections!: SectionInputDto[];
}

export class PatchShowDto {
  @ApiPropertyOptional({ maxLength: SHOW_LIMITS.textLength }) title?: string;
  @ApiPropertyOptional({ maxLength: SHOW_LIMITS.textLength }) venue?: string;
  @ApiPropertyOptional({ format: 'date-time' }) startsAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) salesOpenAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) salesCloseAt?: string;
  @ApiPropertyOptional({ type: LimitsInputDto, description: 'Each member given replaces that member; null: back to its default' })
  limits?: LimitsInputDto;
}
