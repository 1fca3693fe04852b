#!/usr/bin/env python3
"""A local SMTP catcher for scripts/run.

Accepts every message on 127.0.0.1:PORT (plain SMTP, no authentication) and writes each one, as
received, to DIR/<UTC time>-<sequence>.eml; nothing is relayed anywhere. Runs until SIGINT or
SIGTERM. Needs aiosmtpd (Debian: python3-aiosmtpd).

Usage: mailcatcher.py --port 2525 --dir .data/run/mail
"""

import argparse
import itertools
import os
import signal
import sys
import time

from aiosmtpd.controller import Controller


class SaveToFolder:
    def __init__(self, folder):
        self.folder = folder
        self.sequence = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        name = "%s-%04d.eml" % (time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), next(self.sequence))
        path = os.path.join(self.folder, name)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        # Written under a temporary name first, so a reader never sees half a message.
        with open(path + ".tmp", "wb") as out:
            out.write(content)
        os.replace(path + ".tmp", path)
        print("mail catcher: message for %s saved as %s" % (", ".join(envelope.rcpt_tos), path), file=sys.stderr, flush=True)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description="Local SMTP catcher: saves every message as an .eml file.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    # Block the signals before the server thread starts, so that only this thread receives them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    controller = Controller(SaveToFolder(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
