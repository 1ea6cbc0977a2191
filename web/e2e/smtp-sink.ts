// A loopback SMTP server for the end-to-end tests: berth sends its e-mail
// here (BERTH_SMTP_URL=smtp://127.0.0.1:PORT?tls=none: no TLS, no authentication), and
// every message it accepts is written to a directory as `NNNN.eml` (the
// message as received, dot-stuffing undone) beside `NNNN.json` (the envelope:
// MAIL FROM and RCPT TO). The tests read that directory (e2e/mailbox.ts).
//
// It speaks just enough RFC 5321 for a client like lettre: EHLO/HELO, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT; it advertises no extension it does not
// implement (no STARTTLS, no AUTH, no PIPELINING), answers 502 to the rest,
// and accepts every recipient.
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

/** The running sink. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:PORT?tls=none`, for BERTH_SMTP_URL. */
  url: string;
  port: number;
  /** Stops listening and closes open sessions. */
  close: () => Promise<void>;
}

/** Longest line accepted outside DATA (RFC 5321 says 512 octets). */
const maxCommandLine = 4096;
/** Largest message accepted. */
const maxMessageBytes = 10 * 1024 * 1024;

/** Starts a sink on 127.0.0.1 (a free port) writing messages into `dir`. */
export async function startSmtpSink(dir: string): Promise<SmtpSink> {
  let stored = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    session(socket, (envelope, data) => {
      stored += 1;
      const name = String(stored).padStart(4, '0');
      writeFileSync(join(dir, `${name}.eml`), data);
      // The envelope last: a reader that sees the .json sees the whole .eml.
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ ...envelope, at: new Date().toISOString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // Plain SMTP: in berth, `smtp://` alone requires STARTTLS.
    url: `smtp://127.0.0.1:${port}?tls=none`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Envelope {
  from: string;
  to: string[];
}

/** One SMTP session on `socket`; `deliver` gets each accepted message. */
function session(socket: Socket, deliver: (envelope: Envelope, data: Buffer) => void) {
  let buffer = Buffer.alloc(0);
  let envelope: Envelope | null = null;
  let data: Buffer[] | null = null;
  let dataBytes = 0;
  const reply = (line: string) => socket.write(`${line}\r\n`);
  reply('220 berth-e2e-sink ESMTP ready');

  const command = (line: string) => {
    const verb = line.slice(0, 4).toUpperCase();
    const rest = line.slice(4).trim();
    switch (verb) {
      case 'EHLO':
        reply('250-berth-e2e-sink greets you');
        reply('250-8BITMIME');
        reply('250-SMTPUTF8');
        reply(`250 SIZE ${maxMessageBytes}`);
        envelope = null;
        return;
      case 'HELO':
        reply('250 berth-e2e-sink');
        envelope = null;
        return;
      case 'MAIL': {
        const from = /^FROM:\s*<([^>]*)>/i.exec(rest);
        if (!from) return reply('501 Syntax: MAIL FROM:<address>');
        envelope = { from: from[1] ?? '', to: [] };
        return reply('250 OK');
      }
      case 'RCPT': {
        const to = /^TO:\s*<([^>]+)>/i.exec(rest);
        if (!envelope) return reply('503 MAIL first');
        if (!to) return reply('501 Syntax: RCPT TO:<address>');
        envelope.to.push(to[1] ?? '');
        return reply('250 OK');
      }
      case 'DATA':
        if (!envelope || envelope.to.length === 0) return reply('503 RCPT first');
        data = [];
        dataBytes = 0;
        return reply('354 End data with <CR><LF>.<CR><LF>');
      case 'RSET':
        envelope = null;
        return reply('250 OK');
      case 'NOOP':
        return reply('250 OK');
      case 'QUIT':
        reply('221 Bye');
        socket.end();
        return;
      default:
        return reply('502 Command not implemented');
    }
  };

  const dataLine = (line: Buffer) => {
    if (line.length === 1 && line[0] === 0x2e) {
      const message = Buffer.concat(data ?? []);
      data = null;
      if (dataBytes > maxMessageBytes) return reply('552 Message too big');
      if (envelope) deliver(envelope, message);
      envelope = null;
      return reply('250 OK: queued');
    }
    // Dot-stuffing undone (RFC 5321 4.5.2).
    const text = line[0] === 0x2e ? line.subarray(1) : line;
    dataBytes += text.length + 2;
    if (dataBytes <= maxMessageBytes) data?.push(text, Buffer.from('\r\n'));
  };

  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n');
      if (end < 0) {
        if (data === null && buffer.length > maxCommandLine) {
          reply('500 Line too long');
          socket.end();
        }
        return;
      }
      const line = buffer.subarray(0, end);
      buffer = buffer.subarray(end + 2);
      if (data !== null) dataLine(line);
      else command(line.toString('utf8'));
    }
  });
}
