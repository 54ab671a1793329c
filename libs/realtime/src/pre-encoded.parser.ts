import * as parser from 'socket.io-parser';

/**
 * An acknowledgement whose JSON is already serialised: a seat-map snapshot, sent to every
 * subscriber as the same bytes instead of being re-serialised per socket (6 MB for a stadium).
 */
export class PreEncodedJson {
  constructor(readonly json: string) {}
}

/**
 * socket.io's own packet encoder, except that an acknowledgement of one `PreEncodedJson` is
 * written by splicing its JSON into the packet. The wire format is exactly the default one
 * (`3/seats,<id>[<json>]`), so every standard client decodes it.
 */
class Encoder extends parser.Encoder {
  override encode(packet: parser.Packet): ReturnType<parser.Encoder['encode']> {
    const [only] = Array.isArray(packet.data) && packet.data.length === 1 ? (packet.data as unknown[]) : [];
    if (packet.type !== parser.PacketType.ACK || !(only instanceof PreEncodedJson)) return super.encode(packet);
    const nsp = packet.nsp && packet.nsp !== '/' ? `${packet.nsp},` : '';
    return [`${packet.type}${nsp}${packet.id ?? ''}[${only.json}]`];
  }
}

export const preEncodedParser = { ...parser, Encoder };
