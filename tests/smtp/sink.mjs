// A real SMTP server (the `smtp-server` package of nodemailer) for the notice e-mail tests
// (tests/tests/console_notices.rs). Not a mock: the SMTP dialogue is the package's own; the
// messages are parsed by `mailparser`.
//
// Usage: node sink.mjs [--reject N]
//
// 1. Listens on 127.0.0.1, port 0, plain SMTP (no TLS, no sign-in), and prints one JSON line:
//    {"port": PORT}.
// 2. Prints one JSON line per message accepted:
//    {"from": "...", "to": ["..."], "subject": "...", "text": "...", "headers": "..."}
//    (`to`: the envelope's recipients, Bcc included).
//
// --reject N   refuses the first N messages (a temporary failure, 451) before accepting.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const args = process.argv.slice(2);
const at = args.indexOf('--reject');
let reject = at >= 0 ? Number(args[at + 1]) : 0;

const server = new SMTPServer({
  secure: false,
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', async () => {
      if (reject > 0) {
        reject -= 1;
        const e = new Error('try again later');
        e.responseCode = 451;
        callback(e);
        return;
      }
      const raw = Buffer.concat(chunks);
      try {
        const mail = await simpleParser(raw);
        const headerEnd = raw.indexOf('\r\n\r\n');
        process.stdout.write(JSON.stringify({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: mail.subject ?? '',
          text: mail.text ?? '',
          headers: raw.subarray(0, headerEnd < 0 ? raw.length : headerEnd).toString('utf8'),
        }) + '\n');
        callback();
      } catch (e) {
        callback(e);
      }
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.server.address().port }) + '\n');
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
