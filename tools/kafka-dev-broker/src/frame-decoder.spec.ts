import { encodeFrame, FrameDecoder, FrameTooLargeError } from './frame-decoder';

describe('FrameDecoder', () => {
  const bodies = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello kafka'), Buffer.alloc(70_000, 7)];
  const stream = Buffer.concat(bodies.map(encodeFrame));

  it('reassembles frames whatever the chunk boundaries', () => {
    for (const chunkSize of [1, 3, 4, 5, 1000, stream.length]) {
      const decoder = new FrameDecoder();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += chunkSize) out.push(...decoder.push(stream.subarray(i, i + chunkSize)));
      expect(out.map((b) => b.toString('hex'))).toEqual(bodies.map((b) => b.toString('hex')));
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('keeps a partial frame until the rest arrives', () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame(Buffer.from('xyz'));
    expect(decoder.push(frame.subarray(0, 5))).toEqual([]);
    expect(decoder.pendingBytes).toBe(5);
    expect(decoder.push(frame.subarray(5)).map(String)).toEqual(['xyz']);
  });

  it('refuses a frame larger than its limit instead of buffering it', () => {
    const decoder = new FrameDecoder(1024);
    expect(() => decoder.push(encodeFrame(Buffer.alloc(2048)))).toThrow(FrameTooLargeError);
  });
});
