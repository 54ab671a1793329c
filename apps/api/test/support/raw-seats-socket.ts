import WebSocket from 'ws';

/**
 * A client of the `/seats` namespace spoken over a bare `ws` WebSocket (Engine.IO 4 framing), so
 * that a test can choose whether it offers permessage-deflate and see what crossed the wire.
 */
export async function rawSeatsSocket(baseUrl: string, offerDeflate: boolean) {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
    perMessageDeflate: offerDeflate,
  });
  let extensions = '';
  socket.once('upgrade', (response) => (extensions = String(response.headers['sec-websocket-extensions'] ?? '')));
  const acks: ((ack: unknown) => void)[] = [];
  const events: any[] = [];
  const eventWaiters: ((event: any) => void)[] = [];
  let connected: () => void;
  const namespace = new Promise<void>((resolve) => (connected = resolve));
  socket.on('message', (data: Buffer) => {
    const text = data.toString();
    if (text === '2') return socket.send('3');
    if (text.startsWith('0')) return socket.send('40/seats,');
    if (text.startsWith('40/seats,')) return connected();
    const body = text.slice(text.indexOf('['));
    if (text.startsWith('43/seats,')) acks.shift()?.(JSON.parse(body)[0]);
    else if (text.startsWith('42/seats,')) {
      const [, event] = JSON.parse(body);
      const waiter = eventWaiters.shift();
      if (waiter) waiter(event);
      else events.push(event);
    }
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  await namespace;
  const raw = socket as unknown as { _socket: { bytesRead: number } };
  return {
    /** The `Sec-WebSocket-Extensions` the server answered with. */
    get extensions() {
      return extensions;
    },
    subscribe(showId: string) {
      return new Promise((resolve) => {
        acks.push(resolve);
        socket.send(`42/seats,0${JSON.stringify(['subscribe', { showId }])}`);
      });
    },
    nextEvent(): Promise<any> {
      const queued = events.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => eventWaiters.push(resolve));
    },
    bytesRead: () => raw._socket.bytesRead,
    close: () => socket.close(),
  };
}
