/**
 * The client side of a shim's attach.sock (native/shim/console.h): the
 * container's output as raw bytes, input and terminal sizes as frames.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const ATTACH_SOCKET = 'attach.sock';

/** `'d' <u16 len> <bytes>` frames (at most 65535 bytes each). */
export function inputFrames(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 0xffff) {
    const chunk = data.subarray(i, i + 0xffff);
    const head = Buffer.from([0x64, chunk.length >> 8, chunk.length & 0xff]);
    parts.push(head, chunk);
  }
  return Buffer.concat(parts);
}

/** `'w' <u16 4> <u16 rows> <u16 cols>`. */
export function sizeFrame(rows: number, cols: number): Buffer {
  const b = Buffer.alloc(7);
  b.write('w', 0, 'latin1');
  b.writeUInt16BE(4, 1);
  b.writeUInt16BE(Math.min(rows, 0xffff), 3);
  b.writeUInt16BE(Math.min(cols, 0xffff), 5);
  return b;
}

/**
 * Connect to the container's attach.sock. A path longer than a socket
 * address holds (108 bytes) goes through /proc/self/fd of its directory.
 */
export function connectAttach(containerDir: string): Promise<net.Socket> {
  let dirFd: number | undefined;
  let where = path.join(containerDir, ATTACH_SOCKET);
  if (Buffer.byteLength(where) > 100) {
    dirFd = fs.openSync(containerDir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    where = `/proc/self/fd/${dirFd}/${ATTACH_SOCKET}`;
  }
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(where);
    const done = () => {
      if (dirFd !== undefined) fs.closeSync(dirFd);
      dirFd = undefined;
    };
    sock.once('connect', () => {
      done();
      resolve(sock);
    });
    sock.once('error', (e) => {
      done();
      reject(e);
    });
  });
}
