"""A real SMTP server for the e-mail test (crates/shanzhi/tests/e2e/email.rs).

aiosmtpd (PyPI, pinned in scripts/requirements-interop.txt) listens on
127.0.0.1:PORT without TLS; each message it accepts is decoded with the
standard library's e-mail parser and appended to OUT as one JSON line:
{"mail_from", "rcpt_tos", "message_id", "subject", "body"}. Prints "ready"
once listening; runs until killed.

    python scripts/smtp-sink.py PORT OUT
"""

import json
import sys
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        part = msg.get_body(preferencelist=("plain",))
        row = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "message_id": str(msg.get("Message-ID", "")),
            "subject": str(msg.get("Subject", "")),
            "body": part.get_content() if part is not None else "",
        }
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
        return "250 OK"


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
