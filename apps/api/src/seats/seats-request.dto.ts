import { MAX_SEATS_PER_REQUEST, MAX_USER_ID_LENGTH } from '@app/config';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsString, Length } from 'class-validator';

/** Body of hold-bulk, book-bulk and release-bulk. */
export class SeatsRequestDto {
  @ApiProperty({
    description: `Distinct seat ids, all of one show (1 to ${MAX_SEATS_PER_REQUEST})`,
    example: ['neon-nights-A1', 'neon-nights-A2'],
    type: [String],
    minItems: 1,
    maxItems: MAX_SEATS_PER_REQUEST,
    uniqueItems: true,
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_SEATS_PER_REQUEST)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  seatIds!: string[];

  @ApiProperty({
    description: `The buyer (1 to ${MAX_USER_ID_LENGTH} characters)`,
    example: 'user-42',
    minLength: 1,
    maxLength: MAX_USER_ID_LENGTH,
  })
  @IsString()
  @Length(1, MAX_USER_ID_LENGTH)
  userId!: string;
}
