import { InvalidRequestError } from '@app/common';
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';

/** Deeper than any request the API accepts, far shallower than what exhausts the stack. */
export const MAX_BODY_DEPTH = 8;

/**
 * Refuses deeply nested JSON before validation, which walks and quotes bodies recursively (a
 * 64 KiB body of `[[[[…]]]]` once overflowed the stack: a 500). Checked iteratively.
 */
@Injectable()
export class BodyDepthPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body') return value;
    const pending: [unknown, number][] = [[value, 1]];
    while (pending.length > 0) {
      const [node, depth] = pending.pop()!;
      if (node === null || typeof node !== 'object') continue;
      if (depth > MAX_BODY_DEPTH) throw new InvalidRequestError(`The request body is nested more than ${MAX_BODY_DEPTH} levels deep.`);
      for (const child of Object.values(node)) pending.push([child, depth + 1]);
    }
    return value;
  }
}
